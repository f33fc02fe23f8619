import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verifyDeviceSignature } from '../../../core/keys/device-key.js';
import { PassphraseKeyProvider } from '../../../core/keys/passphrase-provider.js';
import { databasePath } from '../../../core/vault/home.js';
import { Vault } from '../../../core/vault/vault.js';
import { openDatabase } from '../../../native/sqlite.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST, tempDir } from '../../support/temp.js';

const provider = () => new PassphraseKeyProvider(TEST_PASSPHRASE, TEST_SCRYPT_COST);
const checkpoint = new TextEncoder().encode('audit checkpoint 42: root 9f1c…');

function editDatabase(home: string, sql: string): void {
  const db = openDatabase(databasePath(home));
  try {
    db.exec(sql);
  } finally {
    db.close();
  }
}

describe('device key', () => {
  it('signs with ECDSA P-256, and keeps the same key across reopening and KEK rotation', async () => {
    const home = tempDir();
    const vault = await Vault.create(home, provider());
    const key = await vault.deviceKey();
    assert.equal(key.kind, 'software');
    assert.equal(key.publicPoint.length, 65);
    const signature = await key.sign(checkpoint);
    assert.equal(signature.length, 64, 'r‖s');
    assert.ok(verifyDeviceSignature(key.publicPoint, checkpoint, signature));
    assert.ok(
      !verifyDeviceSignature(key.publicPoint, new TextEncoder().encode('another checkpoint'), signature),
    );
    await vault.rotateKeys();
    vault.close();

    const reopened = await Vault.open(home, provider());
    const again = await reopened.deviceKey();
    assert.deepEqual(again.publicPoint, key.publicPoint, 'the same device key after rotation and reopening');
    assert.ok(verifyDeviceSignature(key.publicPoint, checkpoint, await again.sign(checkpoint)));
    reopened.close();
  });

  it('refuses a stored device key whose wrapped scalar or public point was altered', async () => {
    const home = tempDir();
    const vault = await Vault.create(home, provider());
    await vault.deviceKey();
    vault.close();

    editDatabase(
      home,
      "UPDATE vault_meta SET value = '04' || substr(value, 3, 126) || (CASE substr(value, 129, 2) WHEN '00' THEN '01' ELSE '00' END) WHERE key = 'device_public_point'",
    );
    const withBadPoint = await Vault.open(home, provider());
    await assert.rejects(withBadPoint.deviceKey(), { code: 'INTEGRITY' });
    withBadPoint.close();

    editDatabase(
      home,
      "UPDATE vault_keys SET wrapped_key = zeroblob(length(wrapped_key)) WHERE purpose = 'device'",
    );
    const withBadScalar = await Vault.open(home, provider());
    await assert.rejects(withBadScalar.deviceKey(), { code: 'INTEGRITY' });
    withBadScalar.close();
  });
});
