/**
 * Someone with the database file edits the audit log. Every single-row tampering — an edited column, a
 * deleted row (with or without closing the gap), a forged row, two rows swapped — must be caught, and the
 * report must point at the row that was tampered with. Tail cuts and whole rewrites are caught by the
 * signed checkpoints, whose signatures a verifier can check with nothing but node:crypto.
 */
import assert from 'node:assert/strict';
import { createHash, createPublicKey, verify } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { AUDIT_ACTIONS, AUDIT_RESULTS } from '../../../common/audit.js';
import { AuditLog } from '../../../core/audit/audit-log.js';
import {
  encodeColumns,
  rowHash,
  type HashedColumns,
  type RawAuditRow,
} from '../../../core/audit/audit-row.js';
import { AuditCheckpointer, readCheckpoints } from '../../../core/audit/checkpoints.js';
import { verifyAuditLog, type AuditBreakKind } from '../../../core/audit/verify.js';
import { SoftwareDeviceKey } from '../../../core/keys/device-key.js';
import type { SqliteDatabase } from '../../../native/sqlite.js';
import {
  freshAuditDb,
  pick,
  randomHex,
  seededRandom,
  syntheticEntries,
  VAULT_ID,
} from '../../unit/audit/audit-fixture.js';
import { deleteRow, insertRow, readRow, recomputeChain, swapRows } from '../../unit/audit/tampering.js';

const ROWS = 2000;
const CHECKPOINT_EVERY = 500;
const TAMPERINGS = 1000;
const SEED = 0x5eed_a0d1;

const COLUMNS = [
  'at',
  'actor',
  'action',
  'operation',
  'target',
  'result',
  'origin',
  'details',
  'macs',
  'break_glass',
  'session_id',
  'prev_hash',
  'hash',
] as const;
type Column = (typeof COLUMNS)[number];

type Tampering =
  | { kind: 'edit'; seq: number; column: Column }
  | { kind: 'delete'; seq: number; renumber: boolean }
  | { kind: 'insert'; seq: number; forgery: 'linked' | 'unlinked' | 'garbage' | 'bad-hash' }
  | { kind: 'swap'; seq: number; other: number };

interface Log {
  db: SqliteDatabase;
  key: SoftwareDeviceKey;
}

async function buildLog(): Promise<Log> {
  const { db } = freshAuditDb('vault-audit-tamper-');
  const { key } = SoftwareDeviceKey.generate();
  const log = new AuditLog(db);
  let t = Date.UTC(2025, 0, 1);
  const checkpointer = new AuditCheckpointer(db, VAULT_ID, key, () => t);
  for (let first = 0; first < ROWS; first += CHECKPOINT_EVERY) {
    log.appendMany(syntheticEntries(first + 1, CHECKPOINT_EVERY, first));
    t += 60_000;
    await checkpointer.checkpoint();
  }
  return { db, key };
}

/** Runs `tamper` in a transaction, verifies, and rolls back: the next case sees the untouched log. */
function verifyTampered(db: SqliteDatabase, tamper: () => void, publicPoint?: Uint8Array) {
  db.exec('BEGIN');
  try {
    tamper();
    return verifyAuditLog(db, { vaultId: VAULT_ID, ...(publicPoint ? { publicPoint } : {}) });
  } finally {
    db.exec('ROLLBACK');
  }
}

function flipBit(bytes: Buffer, random: () => number): Buffer {
  const copy = Buffer.from(bytes);
  const bit = Math.floor(random() * copy.length * 8);
  copy[bit >> 3]! ^= 1 << (bit & 7);
  return copy;
}

/** A value for `column` that differs from the row's current one. */
function editedValue(row: RawAuditRow, column: Column, random: () => number): unknown {
  const [, at, actor, action, operation, target, result, origin, details, macs, breakGlass, session] = row;
  switch (column) {
    case 'at':
      return at + 1 + Math.floor(random() * 86_400_000);
    case 'actor':
      return random() < 0.5 ? `${actor}x` : 'mallory';
    case 'action':
      return pick(
        random,
        AUDIT_ACTIONS.filter((a) => a !== action),
      );
    case 'operation':
      return `${operation}.x`;
    case 'target':
      return target === '' ? 'trace-0' : '';
    case 'result':
      return pick(
        random,
        AUDIT_RESULTS.filter((r) => r !== result),
      );
    case 'origin':
      return origin === 'local' ? 'api:10.0.0.9' : 'local';
    case 'details': {
      const parsed = JSON.parse(details) as Record<string, unknown>;
      return JSON.stringify({ ...parsed, count: Number(parsed.count ?? 0) + 1 });
    }
    case 'macs':
      return macs === '' ? randomHex(random, 16) : `${macs.slice(0, -1)}${macs.endsWith('0') ? '1' : '0'}`;
    case 'break_glass':
      return breakGlass === null ? 1 + Math.floor(random() * 10) : random() < 0.5 ? null : breakGlass + 1;
    case 'session_id':
      return `${session}0`;
    case 'prev_hash':
      return flipBit(row[12], random);
    case 'hash':
      return flipBit(row[13], random);
  }
}

/** A forged row for position `seq`, linked (or not) to the row before it. */
function forgedRow(db: SqliteDatabase, seq: number, forgery: string, random: () => number): RawAuditRow {
  const model = readRow(db, 1 + Math.floor(random() * ROWS));
  const columns = model.slice(1, 12) as HashedColumns;
  columns[1] = 'mallory';
  const linked = seq === 1 ? Buffer.alloc(32) : readRow(db, seq - 1)[13];
  const prev =
    forgery === 'linked' || forgery === 'bad-hash' ? linked : Buffer.from(randomHex(random, 32), 'hex');
  const hash =
    forgery === 'garbage' || forgery === 'bad-hash'
      ? Buffer.from(randomHex(random, 32), 'hex')
      : rowHash(prev, encodeColumns(columns));
  return [seq, ...columns, prev, hash];
}

function randomTampering(random: () => number): Tampering {
  const seq = 1 + Math.floor(random() * ROWS);
  const roll = random();
  if (roll < 0.45) return { kind: 'edit', seq, column: pick(random, COLUMNS) };
  if (roll < 0.65) return { kind: 'delete', seq, renumber: random() < 0.5 };
  if (roll < 0.82) {
    return {
      kind: 'insert',
      seq,
      forgery: pick(random, ['linked', 'unlinked', 'garbage', 'bad-hash'] as const),
    };
  }
  let other = 1 + Math.floor(random() * (ROWS - 1));
  if (other >= seq) other += 1;
  return { kind: 'swap', seq: Math.min(seq, other), other: Math.max(seq, other) };
}

function apply(db: SqliteDatabase, t: Tampering, random: () => number): void {
  switch (t.kind) {
    case 'edit':
      db.prepare(`UPDATE audit_log SET ${t.column} = ? WHERE seq = ?`).run(
        editedValue(readRow(db, t.seq), t.column, random),
        t.seq,
      );
      return;
    case 'delete':
      deleteRow(db, t.seq, t.renumber);
      return;
    case 'insert':
      insertRow(db, t.seq, forgedRow(db, t.seq, t.forgery, random));
      return;
    case 'swap':
      swapRows(db, t.seq, t.other);
  }
}

/** What verify must say: the kind, and the position of the row tampered with. */
function expected(t: Tampering): { kind: AuditBreakKind; seq: number } {
  switch (t.kind) {
    case 'edit':
      return { kind: 'edited', seq: t.seq };
    case 'delete':
      // The last row leaves no gap and no broken link: the last checkpoint is what misses it.
      return { kind: t.seq === ROWS ? 'truncated' : 'missing', seq: t.seq };
    case 'insert':
      return { kind: 'inserted', seq: t.seq };
    case 'swap':
      return { kind: 'reordered', seq: t.seq };
  }
}

function describeTampering(t: Tampering): string {
  switch (t.kind) {
    case 'edit':
      return `edit ${t.column} of row ${t.seq}`;
    case 'delete':
      return `delete row ${t.seq}${t.renumber ? ', renumbering' : ''}`;
    case 'insert':
      return `insert a ${t.forgery} forged row at ${t.seq}`;
    case 'swap':
      return `swap rows ${t.seq} and ${t.other}`;
  }
}

/** MTH of RFC 6962 written out again with createHash, so the check below shares no code with merkle.ts. */
function independentRoot(hashes: Buffer[]): Buffer {
  if (hashes.length === 1)
    return createHash('sha256')
      .update(Buffer.from([0]))
      .update(hashes[0]!)
      .digest();
  let k = 1;
  while (k * 2 < hashes.length) k *= 2;
  return createHash('sha256')
    .update(Buffer.from([1]))
    .update(independentRoot(hashes.slice(0, k)))
    .update(independentRoot(hashes.slice(k)))
    .digest();
}

describe('audit log tampering', () => {
  let log: Log;
  before(async () => {
    log = await buildLog();
  });

  it(`builds a log of ${ROWS} rows with a signed checkpoint every ${CHECKPOINT_EVERY}`, () => {
    assert.deepEqual(verifyAuditLog(log.db, { vaultId: VAULT_ID, publicPoint: log.key.publicPoint }), {
      ok: true,
      rows: ROWS,
      checkpoints: ROWS / CHECKPOINT_EVERY,
    });
  });

  it(`detects ${TAMPERINGS} random single-row tamperings, each at the row tampered with`, () => {
    const random = seededRandom(SEED);
    const counts = new Map<string, { tried: number; detected: number; placed: number }>();
    const misses: string[] = [];
    for (let i = 0; i < TAMPERINGS; i++) {
      const tampering = randomTampering(random);
      const report = verifyTampered(log.db, () => apply(log.db, tampering, random));
      const want = expected(tampering);
      const label =
        tampering.kind === 'edit'
          ? `edit ${tampering.column}`
          : tampering.kind === 'delete'
            ? `delete${tampering.renumber ? ' + renumber' : ''}`
            : tampering.kind;
      const count = counts.get(label) ?? { tried: 0, detected: 0, placed: 0 };
      count.tried += 1;
      if (!report.ok) count.detected += 1;
      const got = { kind: report.firstBreak?.kind, seq: report.firstBreak?.seq };
      if (got.kind === want.kind && got.seq === want.seq) count.placed += 1;
      else {
        misses.push(
          `#${i} ${describeTampering(tampering)}: expected ${want.kind} at ${want.seq}, got ` +
            (report.ok ? 'ok' : `${got.kind} at ${got.seq} (${report.firstBreak?.message})`),
        );
      }
      counts.set(label, count);
    }
    const table = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
    console.log(
      `tamperings (seed ${SEED.toString(16)}): kind, tried, detected, at the right row and kind\n` +
        table.map(([k, c]) => `  ${k.padEnd(20)} ${c.tried} ${c.detected} ${c.placed}`).join('\n'),
    );
    const total = table.reduce((sum, [, c]) => sum + c.detected, 0);
    assert.deepEqual(misses.slice(0, 10), [], `${misses.length} tamperings misreported`);
    assert.equal(total, TAMPERINGS, 'every tampering detected');
  });

  it('reports a tail cut behind the last checkpoint as truncated', () => {
    const checkpoints = readCheckpoints(log.db);
    const report = verifyTampered(log.db, () =>
      log.db.prepare('DELETE FROM audit_log WHERE seq > ?').run(1700),
    );
    assert.equal(report.firstBreak?.kind, 'truncated');
    assert.equal(report.firstBreak?.seq, 1701);
    assert.equal(report.firstBreak?.checkpoint, checkpoints[checkpoints.length - 1]!.id);
    assert.match(report.firstBreak.message, /covers 2000 rows, the log has 1700/);
  });

  it('catches a rewrite with a recomputed chain at the first checkpoint after it', () => {
    const report = verifyTampered(log.db, () => {
      log.db.prepare("UPDATE audit_log SET actor = 'mallory', result = 'success' WHERE seq = 1234").run();
      recomputeChain(log.db, 1234);
    });
    assert.equal(report.firstBreak?.kind, 'rewritten');
    assert.equal(report.firstBreak?.seq, 1500);
    assert.equal(report.rows, 1500, 'the chain itself held up to the checkpoint');
  });

  it('signs checkpoints that node:crypto verifies from the public point alone', () => {
    const hashes = log.db.prepare('SELECT hash FROM audit_log ORDER BY seq').pluck().all() as Buffer[];
    const checkpoints = readCheckpoints(log.db);
    assert.equal(checkpoints.length, ROWS / CHECKPOINT_EVERY);
    for (const c of checkpoints) {
      assert.deepEqual(c.rootHash, independentRoot(hashes.slice(0, c.treeSize)), `root at ${c.treeSize}`);
      const point = c.publicPoint;
      assert.deepEqual(point, Buffer.from(log.key.publicPoint));
      const key = createPublicKey({
        key: {
          kty: 'EC',
          crv: 'P-256',
          x: point.subarray(1, 33).toString('base64url'),
          y: point.subarray(33, 65).toString('base64url'),
        },
        format: 'jwk',
      });
      const u64 = (n: number) => {
        const b = Buffer.alloc(8);
        b.writeBigUInt64BE(BigInt(n));
        return b;
      };
      const id = Buffer.from(VAULT_ID);
      const length = Buffer.alloc(4);
      length.writeUInt32BE(id.length);
      const message = Buffer.concat([
        Buffer.from('vault-manager audit checkpoint v1\n'),
        length,
        id,
        u64(c.treeSize),
        c.rootHash,
        u64(c.signedAt),
      ]);
      assert.ok(
        verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, c.signature),
        `checkpoint ${c.id}`,
      );
    }
  });

  it('reports a checkpoint signed by another key as bad-signature', async () => {
    const other = SoftwareDeviceKey.generate().key;
    const [, second] = readCheckpoints(log.db);
    const forged = Buffer.from(await other.sign(Buffer.from('anything')));
    const report = verifyTampered(log.db, () =>
      log.db.prepare('UPDATE audit_checkpoints SET signature = ? WHERE id = ?').run(forged, second!.id),
    );
    assert.equal(report.firstBreak?.kind, 'bad-signature');
    assert.equal(report.firstBreak?.seq, second!.treeSize);
    assert.equal(report.firstBreak?.checkpoint, second!.id);

    // The attacker re-signs a rewritten log with a key of their own and stores its point: consistent on
    // its face, refused against the device key enrolled elsewhere.
    const resigned = new AuditCheckpointer(log.db, VAULT_ID, other);
    log.db.exec('BEGIN');
    try {
      log.db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 10").run();
      recomputeChain(log.db, 10);
      log.db.exec('DELETE FROM audit_checkpoints');
      await resigned.checkpoint();
      assert.equal(
        verifyAuditLog(log.db, { vaultId: VAULT_ID }).ok,
        true,
        'no key given: nothing to compare',
      );
      const checked = verifyAuditLog(log.db, { vaultId: VAULT_ID, publicPoint: log.key.publicPoint });
      assert.equal(checked.firstBreak?.kind, 'bad-signature');
    } finally {
      log.db.exec('ROLLBACK');
    }
  });
});
