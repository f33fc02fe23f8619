import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import { AuditLog } from '../../../core/audit/audit-log.js';
import { auditColumns, encodeColumns, GENESIS_HASH, rowHash } from '../../../core/audit/audit-row.js';
import { verifyAuditLog } from '../../../core/audit/verify.js';
import { openStorage } from '../../../core/vault/storage.js';
import { freshAuditDb, syntheticEntries, VAULT_ID } from './audit-fixture.js';

interface StoredRow {
  seq: number;
  details: string;
  macs: string;
  break_glass: number | null;
  prev_hash: Buffer;
  hash: Buffer;
}

describe('AuditLog', () => {
  it('chains each row to the one before, the first to 32 zero bytes, with seq 1, 2, 3, …', () => {
    const { db } = freshAuditDb();
    const log = new AuditLog(db);
    const entries = syntheticEntries(1, 5);
    assert.equal(log.append(entries[0]!), 1);
    assert.deepEqual(log.appendMany(entries.slice(1)), [2, 3, 4, 5]);
    const rows = db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as StoredRow[];
    assert.deepEqual(
      rows.map((r) => r.seq),
      [1, 2, 3, 4, 5],
    );
    let prev: Uint8Array = GENESIS_HASH;
    rows.forEach((row, i) => {
      assert.deepEqual(row.prev_hash, Buffer.from(prev), `row ${row.seq} links to the one before`);
      assert.deepEqual(row.hash, rowHash(prev, encodeColumns(auditColumns(entries[i]!))), `row ${row.seq}`);
      prev = row.hash;
    });
    db.close();
  });

  it('stores details as canonical JSON, macs space-separated, break_glass as given', () => {
    const { db } = freshAuditDb();
    const [entry] = syntheticEntries(2, 1);
    new AuditLog(db).append({
      ...entry!,
      details: { z: 1, a: [2] },
      macs: ['aa', 'bb'],
      breakGlass: 7,
    });
    const row = db.prepare('SELECT details, macs, break_glass FROM audit_log').get() as StoredRow;
    assert.deepEqual({ ...row }, { details: '{"a":[2],"z":1}', macs: 'aa bb', break_glass: 7 });
    db.close();
  });

  it("writes in the caller's transaction: rolled back with the act it records", () => {
    const { db } = freshAuditDb();
    const log = new AuditLog(db);
    const [first, second] = syntheticEntries(3, 2);
    log.append(first!);
    const act = db.transaction(() => {
      log.append(second!);
      throw new Error('the act failed');
    });
    assert.throws(() => act.immediate(), /the act failed/);
    assert.equal(db.prepare('SELECT count(*) FROM audit_log').pluck().get(), 1, 'the row went with the act');
    db.close();
  });

  it('writes nothing of a batch that holds one bad entry', () => {
    const { db } = freshAuditDb();
    const entries = syntheticEntries(4, 3);
    entries[2] = { ...entries[2]!, action: 'NOPE' as never };
    assert.throws(
      () => new AuditLog(db).appendMany(entries),
      (e: unknown) => isVaultError(e, 'BAD_INPUT'),
    );
    assert.equal(db.prepare('SELECT count(*) FROM audit_log').pluck().get(), 0);
    db.close();
  });

  it('keeps one chain when two connections append to the same file in turn', () => {
    const { db, file } = freshAuditDb();
    const other = openStorage(file);
    const a = new AuditLog(db);
    const b = new AuditLog(other);
    const entries = syntheticEntries(5, 40);
    entries.forEach((entry, i) => {
      // The head is read on every append, not cached: each connection sees the other's rows.
      (i % 3 === 0 ? b : a).append(entry);
    });
    const report = verifyAuditLog(db, { vaultId: VAULT_ID });
    assert.deepEqual(report, { ok: true, rows: 40, checkpoints: 0 });
    other.close();
    db.close();
  });
});
