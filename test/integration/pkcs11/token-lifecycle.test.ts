/**
 * What a clinician's token does to an open vault: unlocking costs one token operation whatever the vault
 * holds, pulling the token out locks the vault within a second, and slots on two tokens plus a recovery
 * key all open the same vault.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Pkcs11KeyProvider } from '../../../core/keys/pkcs11-provider.js';
import { verifyDeviceSignature } from '../../../core/keys/device-key.js';
import { PassphraseKeyProvider } from '../../../core/keys/passphrase-provider.js';
import { RecoveryKeyProvider } from '../../../core/keys/recovery-provider.js';
import { Vault } from '../../../core/vault/vault.js';
import { softHsm, TEST_USER_PIN } from '../../support/softhsm.js';
import { TraceFactory } from '../../support/synthetic-traces.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST, tempDir } from '../../support/temp.js';

const hsm = softHsm();

const onToken = (token: string, createKey = false) =>
  new Pkcs11KeyProvider({
    module: hsm.module,
    keyUri: `pkcs11:token=${token};object=master`,
    pin: TEST_USER_PIN,
    createKey,
  });

/** Opens the vault and returns how many logins and key operations the token saw. */
async function unlockCost(
  home: string,
  token: string,
): Promise<{ logins: number; keyOperations: number; vault: Vault }> {
  const before = hsm.module.callCounts;
  const vault = await Vault.open(home, onToken(token));
  const after = hsm.module.callCounts;
  return {
    logins: after.logins - before.logins,
    keyOperations: after.keyOperations - before.keyOperations,
    vault,
  };
}

describe('a vault on a token', () => {
  it('unlocks with exactly one token operation with 0, 1,000 and 100,000 traces', async () => {
    hsm.createToken('count-token');
    const home = join(tempDir(), 'home');
    const created = await Vault.create(home, onToken('count-token', true));
    created.close();
    const factory = new TraceFactory(12, 300);
    const costs: string[] = [];
    for (const target of [0, 1_000, 100_000]) {
      const { vault, logins, keyOperations } = await unlockCost(home, 'count-token');
      assert.equal(logins, 1, `one C_Login at ${target} traces`);
      assert.equal(keyOperations, 1, `one key operation at ${target} traces`);
      costs.push(`${vault.count()} traces: ${keyOperations} key operation, ${logins} login`);
      // Grow to the next size: small traces, many subjects, so the vault has many keys to unwrap later.
      const next = target === 0 ? 1_000 : target === 1_000 ? 100_000 : 0;
      const missing = next - vault.count();
      if (missing > 0) {
        const start = vault.count();
        const batches = Array.from({ length: Math.ceil(missing / 500) }, (_, b) =>
          Array.from({ length: Math.min(500, missing - b * 500) }, (_, i) =>
            factory.trace({ id: `c-${start + b * 500 + i}`, bytes: 120, subjects: 5_000 }),
          ),
        );
        await vault.putBatches(batches);
      }
      vault.close();
    }
    console.log(`unlock cost: ${costs.join('; ')}`);
  });

  it('locks within one second of the token being pulled out; reads then fail with LOCKED', async () => {
    hsm.createToken('pulled-token');
    const home = join(tempDir(), 'home');
    const created = await Vault.create(home, onToken('pulled-token', true));
    created.put([new TraceFactory(2).trace({ id: 'before-removal' })]);
    created.close();
    const vault = await Vault.open(home, onToken('pulled-token'));
    assert.equal(vault.get('before-removal').id, 'before-removal');

    const removedAt = performance.now();
    hsm.deleteToken('pulled-token');
    while (!vault.isLocked && performance.now() - removedAt < 5_000)
      await new Promise((r) => setTimeout(r, 10));
    const lockedAfterMs = performance.now() - removedAt;
    console.log(`token removal: vault locked ${lockedAfterMs.toFixed(0)} ms after the token was deleted`);
    assert.ok(vault.isLocked, 'the vault locked');
    assert.ok(lockedAfterMs <= 1_000, `locked after ${lockedAfterMs.toFixed(0)} ms, more than 1 s`);
    assert.throws(() => vault.get('before-removal'), { code: 'LOCKED', message: /token was removed/ });
  });

  it('opens with either of two tokens, and with the recovery key once both token slots are removed', async () => {
    hsm.createToken('nurse-token');
    hsm.createToken('doctor-token');
    const home = join(tempDir(), 'home');
    const vault = await Vault.create(home, onToken('nurse-token', true));
    vault.put([new TraceFactory(5).trace({ id: 'shared' })]);
    await vault.addSlot(onToken('doctor-token', true));
    const { provider: recovery, words } = RecoveryKeyProvider.generate();
    await vault.addSlot(recovery);
    recovery.destroy();
    vault.close();

    for (const token of ['nurse-token', 'doctor-token']) {
      const { vault: opened, keyOperations } = await unlockCost(home, token);
      assert.equal(keyOperations, 1, `${token}: one key operation`);
      assert.equal(opened.get('shared').id, 'shared');
      opened.close();
    }

    const byRecovery = await Vault.open(home, RecoveryKeyProvider.fromWords(words.join(' ')));
    for (const slot of byRecovery.listSlots().filter((s) => s.kind === 'pkcs11'))
      byRecovery.removeSlot(slot.id);
    assert.deepEqual(
      byRecovery.listSlots().map((s) => s.kind),
      ['recovery'],
    );
    byRecovery.close();
    await assert.rejects(Vault.open(home, onToken('nurse-token')), { code: 'WRONG_SECRET' });
    const last = await Vault.open(home, RecoveryKeyProvider.fromWords(words.join(' ')));
    assert.equal(last.get('shared').id, 'shared');
    last.close();
  });

  it('moves a passphrase vault to a token: only the token opens it afterwards, one token operation per unlock', async () => {
    hsm.createToken('moved-to-token');
    const home = join(tempDir(), 'home');
    const passphrase = new PassphraseKeyProvider(TEST_PASSPHRASE, TEST_SCRYPT_COST);
    const vault = await Vault.create(home, passphrase);
    vault.put([new TraceFactory(6).trace({ id: 'moved', subjects: 3 })]);
    await vault.rotateKeys(); // two KEK versions' worth of history: the retired one stays retired
    await vault.rotateMaster(onToken('moved-to-token', true));
    assert.deepEqual(
      vault.listSlots().map((s) => s.kind),
      ['pkcs11'],
    );
    vault.close();

    await assert.rejects(Vault.open(home, passphrase), { code: 'WRONG_SECRET' });
    const { vault: byToken, keyOperations } = await unlockCost(home, 'moved-to-token');
    assert.equal(keyOperations, 1);
    assert.equal(byToken.get('moved').id, 'moved');
    byToken.close();
  });

  it('holds the device key on the token: signs there, and only that token can sign', async () => {
    hsm.createToken('device-token');
    const home = join(tempDir(), 'home');
    const vault = await Vault.create(home, onToken('device-token', true));
    const key = await vault.deviceKey();
    assert.equal(key.kind, 'token');
    const message = new TextEncoder().encode('checkpoint 7');
    const signsBefore = hsm.module.callCounts.byOperation.sign;
    const signature = await key.sign(message);
    assert.equal(hsm.module.callCounts.byOperation.sign - signsBefore, 1, 'signed on the token');
    assert.ok(verifyDeviceSignature(key.publicPoint, message, signature));
    const { provider: recovery, words } = RecoveryKeyProvider.generate();
    await vault.addSlot(recovery);
    recovery.destroy();
    vault.close();

    const again = await Vault.open(home, onToken('device-token'));
    const same = await again.deviceKey();
    assert.deepEqual(same.publicPoint, key.publicPoint, 'the same key pair on the token');
    again.close();

    const byRecovery = await Vault.open(home, RecoveryKeyProvider.fromWords(words.join(' ')));
    await assert.rejects(byRecovery.deviceKey(), { code: 'UNAVAILABLE', message: /unlock with that token/ });
    byRecovery.close();
  });
});
