import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { describe, it } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import { AuditLog } from '../../../core/audit/audit-log.js';
import {
  AuditCheckpointer,
  checkpointMessage,
  readCheckpoints,
  type CheckpointSigner,
} from '../../../core/audit/checkpoints.js';
import { merkleRoot } from '../../../core/audit/merkle.js';
import { SoftwareDeviceKey } from '../../../core/keys/device-key.js';
import type { SqliteDatabase } from '../../../native/sqlite.js';
import { freshAuditDb, syntheticEntries, T0, VAULT_ID } from './audit-fixture.js';

function rowHashes(db: SqliteDatabase): Buffer[] {
  return db.prepare('SELECT hash FROM audit_log ORDER BY seq').pluck().all() as Buffer[];
}

/** A clock the test moves by hand. */
function clock(start = T0): { now: () => number; advance: (ms: number) => void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

/** Verifies with node:crypto alone, from the raw point: no code of ours in the path. */
function verifiesIndependently(point: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      x: Buffer.from(point.subarray(1, 33)).toString('base64url'),
      y: Buffer.from(point.subarray(33, 65)).toString('base64url'),
    },
    format: 'jwk',
  });
  return verify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, signature);
}

describe('AuditCheckpointer', () => {
  it('does nothing when no row is waiting', async () => {
    const { db } = freshAuditDb();
    const checkpointer = new AuditCheckpointer(db, VAULT_ID, SoftwareDeviceKey.generate().key);
    assert.equal(checkpointer.isDue(1, 1), false);
    assert.equal(await checkpointer.checkpoint(), undefined);
    new AuditLog(db).appendMany(syntheticEntries(1, 3));
    assert.ok(await checkpointer.checkpoint());
    assert.equal(await checkpointer.checkpoint(), undefined, 'nothing new since the last one');
    assert.equal(readCheckpoints(db).length, 1);
    db.close();
  });

  it('is due after N rows, or once the oldest waiting row is T seconds old', async () => {
    const { db } = freshAuditDb();
    const time = clock(T0 + 10_000);
    const log = new AuditLog(db);
    const checkpointer = new AuditCheckpointer(db, VAULT_ID, SoftwareDeviceKey.generate().key, time.now);
    const entries = syntheticEntries(2, 20).map((e, i) => ({ ...e, at: T0 + 10_000 + i }));
    log.appendMany(entries.slice(0, 9));
    assert.equal(checkpointer.isDue(10, 60), false, '9 rows, none a minute old');
    log.append(entries[9]!);
    assert.equal(checkpointer.isDue(10, 60), true, '10 rows');
    await checkpointer.checkpoint();
    assert.equal(checkpointer.isDue(10, 60), false, 'all rows covered');
    log.append(entries[10]!);
    time.advance(59_999);
    assert.equal(checkpointer.isDue(10, 60), false);
    time.advance(100);
    assert.equal(checkpointer.isDue(10, 60), true, 'the waiting row is a minute old');
    db.close();
  });

  it('signs the RFC 6962 root of every row so far, verifiable with node:crypto from the public point', async () => {
    const { db } = freshAuditDb();
    const { key } = SoftwareDeviceKey.generate();
    const time = clock();
    const checkpointer = new AuditCheckpointer(db, VAULT_ID, key, time.now);
    const log = new AuditLog(db);
    for (const size of [1, 6, 7, 64]) {
      log.appendMany(syntheticEntries(size, size));
      time.advance(1000);
      const made = await checkpointer.checkpoint();
      const hashes = rowHashes(db);
      assert.deepEqual(made, { treeSize: hashes.length, rootHash: merkleRoot(hashes) });
    }
    const stored = readCheckpoints(db);
    assert.deepEqual(
      stored.map((c) => c.treeSize),
      [1, 7, 14, 78],
    );
    const hashes = rowHashes(db);
    for (const c of stored) {
      assert.deepEqual(c.rootHash, merkleRoot(hashes.slice(0, c.treeSize)), `root at ${c.treeSize}`);
      assert.deepEqual(c.publicPoint, Buffer.from(key.publicPoint));
      // The message spelled out here, independently of checkpointMessage.
      const id = Buffer.from(VAULT_ID, 'utf8');
      const size = Buffer.alloc(8);
      size.writeBigUInt64BE(BigInt(c.treeSize));
      const signedAt = Buffer.alloc(8);
      signedAt.writeBigUInt64BE(BigInt(c.signedAt));
      const length = Buffer.alloc(4);
      length.writeUInt32BE(id.length);
      const message = Buffer.concat([
        Buffer.from('vault-manager audit checkpoint v1\n'),
        length,
        id,
        size,
        c.rootHash,
        signedAt,
      ]);
      assert.deepEqual(Buffer.from(checkpointMessage(VAULT_ID, c.treeSize, c.rootHash, c.signedAt)), message);
      assert.ok(verifiesIndependently(c.publicPoint, message, c.signature), `checkpoint ${c.id} verifies`);
    }
    db.close();
  });

  it('stores one checkpoint when two are signed at once over the same rows', async () => {
    const { db } = freshAuditDb();
    const { key } = SoftwareDeviceKey.generate();
    // A slow token: both calls read the rows before either has a signature.
    const slow: CheckpointSigner = {
      publicPoint: key.publicPoint,
      sign: async (message) => {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return key.sign(message);
      },
    };
    new AuditLog(db).appendMany(syntheticEntries(3, 10));
    const a = new AuditCheckpointer(db, VAULT_ID, slow);
    const b = new AuditCheckpointer(db, VAULT_ID, slow);
    const results = await Promise.all([a.checkpoint(), b.checkpoint()]);
    assert.equal(results.filter((r) => r !== undefined).length, 1, 'one of them stored its checkpoint');
    assert.equal(readCheckpoints(db).length, 1);
    db.close();
  });

  it('refuses to sign over rows that do not chain, or on a frontier that does not match its root', async () => {
    const { db } = freshAuditDb();
    const { key } = SoftwareDeviceKey.generate();
    const checkpointer = new AuditCheckpointer(db, VAULT_ID, key);
    const log = new AuditLog(db);
    log.appendMany(syntheticEntries(4, 5));
    await checkpointer.checkpoint();
    log.appendMany(syntheticEntries(5, 5, 5));
    db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 8").run();
    await assert.rejects(checkpointer.checkpoint(), (e: unknown) => {
      return isVaultError(e, 'INTEGRITY') && /row 8/.test(e.message);
    });
    db.prepare('DELETE FROM audit_log WHERE seq > 5').run();
    db.prepare("UPDATE audit_checkpoints SET frontier = json_array(lower(hex(randomblob(32))), 'x')").run();
    await assert.rejects(checkpointer.checkpoint(), (e: unknown) => isVaultError(e, 'INTEGRITY'));
    assert.equal(readCheckpoints(db).length, 1, 'nothing more was signed');
    db.close();
  });
});
