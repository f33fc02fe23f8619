import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuditLog } from '../../../core/audit/audit-log.js';
import { AuditCheckpointer, checkpointMessage, readCheckpoints } from '../../../core/audit/checkpoints.js';
import { verifyAuditLog, type AuditBreakKind } from '../../../core/audit/verify.js';
import { SoftwareDeviceKey } from '../../../core/keys/device-key.js';
import type { SqliteDatabase } from '../../../native/sqlite.js';
import { freshAuditDb, syntheticEntries, VAULT_ID } from './audit-fixture.js';
import { recomputeChain } from './tampering.js';

const SECRET_DETAIL = 'patient-Zelda-Fitzgerald';
const SECRET_MAC = 'deadbeefdeadbeefdeadbeefdeadbeef';

/** 20 rows, checkpoints at 8 and 16; every row carries a detail and a mac that must never be echoed. */
async function smallLog(): Promise<{ db: SqliteDatabase; key: SoftwareDeviceKey }> {
  const { db } = freshAuditDb();
  const { key } = SoftwareDeviceKey.generate();
  const log = new AuditLog(db);
  const checkpointer = new AuditCheckpointer(db, VAULT_ID, key);
  const entries = syntheticEntries(11, 20).map((e) => ({
    ...e,
    details: { ...e.details, note: SECRET_DETAIL },
    macs: [SECRET_MAC],
  }));
  log.appendMany(entries.slice(0, 8));
  await checkpointer.checkpoint();
  log.appendMany(entries.slice(8, 16));
  await checkpointer.checkpoint();
  log.appendMany(entries.slice(16));
  return { db, key };
}

function expectBreak(
  db: SqliteDatabase,
  kind: AuditBreakKind,
  seq: number,
  publicPoint?: Uint8Array,
): string {
  const report = verifyAuditLog(db, { vaultId: VAULT_ID, ...(publicPoint ? { publicPoint } : {}) });
  assert.equal(report.ok, false, `expected ${kind} at ${seq}, the log verified`);
  assert.deepEqual(
    { kind: report.firstBreak?.kind, seq: report.firstBreak?.seq },
    { kind, seq },
    report.firstBreak?.message,
  );
  const message = report.firstBreak!.message;
  assert.ok(
    !message.includes(SECRET_DETAIL) && !message.includes(SECRET_MAC),
    'the message echoes no content',
  );
  return message;
}

/** Runs `tamper`, checks the break, and undoes it. */
function tampered(db: SqliteDatabase, sql: string, kind: AuditBreakKind, seq: number): string {
  db.exec('BEGIN');
  try {
    db.exec(sql);
    return expectBreak(db, kind, seq);
  } finally {
    db.exec('ROLLBACK');
  }
}

describe('verifyAuditLog', () => {
  it('passes an untouched log, with and without the expected device key', async () => {
    const { db, key } = await smallLog();
    assert.deepEqual(verifyAuditLog(db, { vaultId: VAULT_ID }), { ok: true, rows: 20, checkpoints: 2 });
    assert.deepEqual(verifyAuditLog(db, { vaultId: VAULT_ID, publicPoint: key.publicPoint }), {
      ok: true,
      rows: 20,
      checkpoints: 2,
    });
    const { db: empty } = freshAuditDb();
    assert.deepEqual(verifyAuditLog(empty, { vaultId: VAULT_ID }), { ok: true, rows: 0, checkpoints: 0 });
    db.close();
    empty.close();
  });

  it('tells each kind of tampering apart and says where', async () => {
    const { db } = await smallLog();
    tampered(db, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 5", 'edited', 5);
    tampered(db, 'UPDATE audit_log SET hash = randomblob(32) WHERE seq = 20', 'edited', 20);
    tampered(db, 'DELETE FROM audit_log WHERE seq = 3', 'missing', 3);
    tampered(
      db,
      'DELETE FROM audit_log WHERE seq = 3; UPDATE audit_log SET seq = -seq WHERE seq > 3; UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0',
      'missing',
      3,
    );
    tampered(
      db,
      'UPDATE audit_log SET seq = -1 WHERE seq = 4; UPDATE audit_log SET seq = 4 WHERE seq = 12; UPDATE audit_log SET seq = 12 WHERE seq = -1',
      'reordered',
      4,
    );
    // A forged row in the middle, later rows moved up one.
    tampered(
      db,
      `UPDATE audit_log SET seq = -(seq + 1) WHERE seq >= 6; UPDATE audit_log SET seq = -seq WHERE seq < 0;
       INSERT INTO audit_log SELECT 6, at, actor, action, operation, target, result, origin, details, macs,
         break_glass, session_id, (SELECT hash FROM audit_log WHERE seq = 5), randomblob(32)
       FROM audit_log WHERE seq = 2`,
      'inserted',
      6,
    );
    tampered(db, 'DELETE FROM audit_log WHERE seq > 10', 'truncated', 11);
    const message = tampered(db, 'DELETE FROM audit_log WHERE seq > 15', 'truncated', 16);
    assert.match(message, /checkpoint \d+ covers 16 rows, the log has 15/);
    db.close();
  });

  it('catches a rewrite that recomputed the chain at the first checkpoint it disagrees with', async () => {
    const { db } = await smallLog();
    // Rewrite row 10 and re-chain every row after it, as someone who knows the hashing would.
    const rows = db
      .prepare('SELECT seq FROM audit_log WHERE seq >= 10 ORDER BY seq')
      .pluck()
      .all() as number[];
    db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 10").run();
    recomputeChain(db, rows[0]!);
    const report = verifyAuditLog(db, { vaultId: VAULT_ID });
    assert.equal(report.firstBreak?.kind, 'rewritten');
    assert.equal(report.firstBreak?.seq, 16);
    assert.equal(report.firstBreak?.checkpoint, 2);
    assert.equal(report.rows, 16, 'rows before the break');
    assert.equal(report.checkpoints, 1);
    db.close();
  });

  it('refuses a checkpoint signed by another key, or altered after signing', async () => {
    const { db, key } = await smallLog();
    const other = SoftwareDeviceKey.generate().key;
    db.exec('BEGIN');
    db.prepare('UPDATE audit_checkpoints SET signature = ? WHERE id = 2').run(
      Buffer.from(await other.sign(new Uint8Array([1, 2, 3]))),
    );
    expectBreak(db, 'bad-signature', 16);
    db.exec('ROLLBACK');

    // Re-signed whole by another key with its own point stored: only the expected key tells.
    db.exec('BEGIN');
    for (const c of readCheckpoints(db)) {
      const signature = await other.sign(checkpointMessage(VAULT_ID, c.treeSize, c.rootHash, c.signedAt));
      db.prepare('UPDATE audit_checkpoints SET signature = ?, public_point = ? WHERE id = ?').run(
        Buffer.from(signature),
        Buffer.from(other.publicPoint),
        c.id,
      );
    }
    assert.equal(verifyAuditLog(db, { vaultId: VAULT_ID }).ok, true, 'consistent with the stored key');
    expectBreak(db, 'bad-signature', 8, key.publicPoint);
    db.exec('ROLLBACK');

    tampered(db, 'UPDATE audit_checkpoints SET signed_at = signed_at + 1 WHERE id = 1', 'bad-signature', 8);
    tampered(db, 'UPDATE audit_checkpoints SET root_hash = randomblob(32) WHERE id = 1', 'bad-signature', 8);
    tampered(db, "UPDATE audit_checkpoints SET public_point = x'00' WHERE id = 1", 'bad-signature', 8);
    assert.equal(verifyAuditLog(db, { vaultId: 'another-vault' }).firstBreak?.kind, 'bad-signature');
    tampered(db, "UPDATE audit_checkpoints SET frontier = '[]' WHERE id = 1", 'rewritten', 8);
    db.close();
  });
});
