/**
 * Checkpoints as sessions write them: every N rows (policy), signed by the device key, verifiable with its
 * public point alone; and a log edited behind the session's back raises an alert at the next checkpoint.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkpointMessage, readCheckpoints } from '../../../core/audit/checkpoints.js';
import { verifyDeviceSignature } from '../../../core/keys/device-key.js';
import type { Alert } from '../../../core/alerts/alert-log.js';
import { VaultMeta } from '../../../core/vault/meta.js';
import { accessFixture, ROLE_USERS } from '../../support/access-fixture.js';

describe('audit checkpoints written by sessions', () => {
  it('signs one every N rows, verifiable with the device public key alone', async () => {
    const fixture = await accessFixture();
    const admin = await fixture.open(ROLE_USERS.admin);
    admin.admin.setPolicy({ audit_checkpoint_rows: 5 }, admin.user);
    for (let i = 0; i < 20; i++) admin.traces.count();
    await admin.whenIdle();
    const report = admin.audit.verify();
    await admin.close();

    const db = fixture.database();
    const checkpoints = readCheckpoints(db);
    const meta = new VaultMeta(db);
    const point = Buffer.from(meta.get('device_public_point')!, 'hex');
    const vaultId = meta.get('vault_id')!;
    db.close();
    assert.equal(report.ok, true);
    assert.ok(checkpoints.length >= 3, `${checkpoints.length} checkpoints over ${report.rows} rows`);
    for (const c of checkpoints) {
      assert.ok(c.publicPoint.equals(point), 'signed by the device key');
      const message = checkpointMessage(vaultId, c.treeSize, c.rootHash, c.signedAt);
      assert.ok(verifyDeviceSignature(point, message, c.signature), `checkpoint ${c.id} verifies`);
    }
  });

  it('raises an alert when the rows since the last checkpoint no longer chain', async () => {
    const fixture = await accessFixture();
    const alerts: Alert[] = [];
    const admin = await fixture.open(ROLE_USERS.admin, { onAlert: (a) => alerts.push(a) });
    admin.admin.setPolicy({ audit_checkpoint_rows: 5 }, admin.user);
    for (let i = 0; i < 6; i++) admin.traces.count();
    await admin.whenIdle();
    admin.traces.count(); // a row no checkpoint covers yet
    const db = fixture.database();
    const last = (db.prepare('SELECT max(seq) AS s FROM audit_log').get() as { s: number }).s;
    db.prepare("UPDATE audit_log SET actor = 'someone-else' WHERE seq = ?").run(last);
    db.close();
    for (let i = 0; i < 6; i++) admin.traces.count();
    await admin.whenIdle();
    assert.deepEqual(
      alerts.map((a) => a.kind),
      ['audit-integrity'],
    );
    assert.match(alerts[0]!.message, new RegExp(`row ${last}`));
    assert.equal(admin.audit.verify().firstBreak?.kind, 'edited');
    await admin.close();
  });
});
