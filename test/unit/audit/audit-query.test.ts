import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditRecord } from '../../../common/audit.js';
import { isVaultError } from '../../../common/errors.js';
import { AuditLog } from '../../../core/audit/audit-log.js';
import { iterateAudit, lookupMac, queryAudit } from '../../../core/audit/audit-query.js';
import type { AuditEntry } from '../../../core/audit/audit-row.js';
import type { SqliteDatabase } from '../../../native/sqlite.js';
import { freshAuditDb, T0 } from './audit-fixture.js';

const MAC_A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const MAC_B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';

function entry(at: number, over: Partial<AuditEntry>): AuditEntry {
  return {
    at,
    actor: 'dr.okafor',
    action: 'READ',
    operation: 'traces.get',
    target: '',
    result: 'success',
    origin: 'local',
    details: {},
    macs: [],
    breakGlass: null,
    sessionId: 's-1',
    ...over,
  };
}

function seeded(): SqliteDatabase {
  const { db } = freshAuditDb();
  new AuditLog(db).appendMany([
    entry(T0, { action: 'LOGIN', operation: 'session.open' }),
    entry(T0 + 1000, { target: 'trace-1', details: { bytes: 100 } }),
    entry(T0 + 2000, {
      action: 'SEARCH',
      operation: 'traces.search',
      macs: [MAC_A, MAC_B],
      details: { count: 2 },
    }),
    entry(T0 + 3000, {
      action: 'EXPORT',
      operation: 'traces.export',
      details: { traces: ['trace-1', 'trace-2'] },
    }),
    entry(T0 + 4000, { actor: 'nurse.patel', target: 'trace-2', result: 'denied' }),
    entry(T0 + 5000, { actor: 'nurse.patel', action: 'SEARCH', operation: 'traces.search', macs: [MAC_B] }),
    entry(T0 + 6000, {
      action: 'BREAK_GLASS',
      operation: 'access.break_glass',
      breakGlass: 3,
      details: { trace: 'trace-9' },
    }),
  ]);
  return db;
}

const seqs = (records: AuditRecord[]) => records.map((r) => r.seq);

describe('queryAudit', () => {
  it('returns records with ISO times, parsed details and mac lists, oldest first', () => {
    const db = seeded();
    const all = queryAudit(db);
    assert.deepEqual(seqs(all), [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual(all[2], {
      seq: 3,
      at: new Date(T0 + 2000).toISOString(),
      actor: 'dr.okafor',
      action: 'SEARCH',
      operation: 'traces.search',
      target: '',
      result: 'success',
      origin: 'local',
      details: { count: 2 },
      macs: [MAC_A, MAC_B],
      breakGlass: null,
      sessionId: 's-1',
    });
    assert.equal(all[6]!.breakGlass, 3);
    db.close();
  });

  it('filters by actor, actions, time, result, trace and mac, all together', () => {
    const db = seeded();
    assert.deepEqual(seqs(queryAudit(db, { actor: 'nurse.patel' })), [5, 6]);
    assert.deepEqual(seqs(queryAudit(db, { actions: ['SEARCH', 'EXPORT'] })), [3, 4, 6]);
    assert.deepEqual(seqs(queryAudit(db, { from: T0 + 1000, to: T0 + 3000 })), [2, 3], 'from ≤ at < to');
    assert.deepEqual(seqs(queryAudit(db, { result: 'denied' })), [5]);
    assert.deepEqual(seqs(queryAudit(db, { trace: 'trace-1' })), [2, 4], 'target, or details.traces');
    assert.deepEqual(seqs(queryAudit(db, { trace: 'trace-2' })), [4, 5]);
    assert.deepEqual(seqs(queryAudit(db, { trace: 'trace-9' })), [7], 'details.trace');
    assert.deepEqual(seqs(queryAudit(db, { mac: MAC_B })), [3, 6]);
    assert.deepEqual(seqs(queryAudit(db, { mac: MAC_A.toUpperCase() })), [3], 'hex in either case');
    assert.deepEqual(seqs(queryAudit(db, { mac: MAC_A.slice(0, 10) })), [], 'whole macs only');
    assert.deepEqual(seqs(queryAudit(db, { actor: 'nurse.patel', actions: ['SEARCH'], mac: MAC_B })), [6]);
    assert.deepEqual(seqs(lookupMac(db, MAC_B)), [3, 6]);
    db.close();
  });

  it('pages with limit and offset; the iterator returns every row by default', () => {
    const db = seeded();
    assert.deepEqual(seqs(queryAudit(db, { limit: 2, offset: 3 })), [4, 5]);
    assert.deepEqual(seqs(queryAudit(db, { offset: 5 })), [6, 7]);
    assert.deepEqual(seqs([...iterateAudit(db, { actor: 'dr.okafor' })]), [1, 2, 3, 4, 7]);
    db.close();
  });

  it('still answers when an edited row holds details that are not JSON', () => {
    const db = seeded();
    db.exec("UPDATE audit_log SET details = '{not json' WHERE seq = 4");
    assert.deepEqual(seqs(queryAudit(db, { trace: 'trace-1' })), [2]);
    assert.deepEqual(queryAudit(db, { actions: ['EXPORT'] })[0]!.details, {
      unreadable: 'the stored details are not a JSON object',
    });
    db.close();
  });

  it('refuses malformed queries with BAD_INPUT', () => {
    const db = seeded();
    for (const q of [
      { actions: [] },
      { actions: ['FLY' as never] },
      { result: 'maybe' as never },
      { mac: 'not hex' },
      { from: 1.5 },
      { limit: 0 },
      { offset: -1 },
    ]) {
      assert.throws(
        () => queryAudit(db, q),
        (e: unknown) => isVaultError(e, 'BAD_INPUT'),
        JSON.stringify(q),
      );
    }
    db.close();
  });
});
