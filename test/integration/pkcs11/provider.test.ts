/**
 * The PKCS#11 key provider end to end: a real vault on a SoftHSM2 token for each way of protecting the
 * root key, unlocked with exactly one C_Login and one key operation on the token.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import { Pkcs11KeyProvider, type Pkcs11Scheme } from '../../../core/keys/pkcs11-provider.js';
import { Vault } from '../../../core/vault/vault.js';
import { importAesKeyForTest, softHsm, TEST_USER_PIN, type TestToken } from '../../support/softhsm.js';
import { tempDir } from '../../support/temp.js';

const hsm = softHsm();

const sample = {
  id: 'pkcs11-trace-1',
  agent_id: 'agent-a',
  user_id: 'user-a',
  started_at: '2026-01-02T03:04:05Z',
  messages: [{ role: 'user' as const, content: 'metformin five hundred milligrams twice daily' }],
};

describe('PKCS#11 key provider', () => {
  let token: TestToken;
  before(() => {
    token = hsm.createToken('provider-test');
  });

  const provider = (
    scheme: Pkcs11Scheme | undefined,
    object: string,
    pin = TEST_USER_PIN,
    createKey = false,
  ) =>
    new Pkcs11KeyProvider({
      module: hsm.module,
      keyUri: `pkcs11:token=provider-test;object=${object}`,
      pin,
      createKey,
      ...(scheme ? { scheme } : {}),
    });

  for (const scheme of ['aes-kw', 'rsa-oaep', 'ecdh'] as const) {
    it(`creates, reopens and searches a vault whose root key is protected by ${scheme}, one token operation per unlock`, async () => {
      const home = join(tempDir(), 'home');
      const created = await Vault.create(home, provider(scheme, `master-${scheme}`, TEST_USER_PIN, true));
      created.put([sample]);
      const slot = created.listSlots()[0]!;
      assert.equal(slot.kind, 'pkcs11');
      created.close();

      const before = hsm.module.callCounts;
      const vault = await Vault.open(home, provider(undefined, `master-${scheme}`));
      const after = hsm.module.callCounts;
      try {
        assert.equal(after.logins - before.logins, 1, 'one C_Login');
        assert.equal(after.keyOperations - before.keyOperations, 1, 'exactly one key operation on the token');
        const expected = { 'aes-kw': 'unwrap', 'rsa-oaep': 'decrypt', ecdh: 'derive' } as const;
        assert.equal(after.byOperation[expected[scheme]] - before.byOperation[expected[scheme]], 1);
        assert.deepEqual(
          vault.search({ query: 'metformin' }).hits.map((hit) => hit.id),
          ['pkcs11-trace-1'],
        );
      } finally {
        vault.close();
      }
    });
  }

  it('chooses AES key wrap when the token offers it and no scheme is given', async () => {
    const home = join(tempDir(), 'home');
    (await Vault.create(home, provider(undefined, 'master-auto', TEST_USER_PIN, true))).close();
    const session = hsm.module.openSession(token.slotId);
    try {
      session.login(token.userPin);
      const [key] = session.findKeys({ label: 'master-auto' });
      assert.equal(session.keyAttributes(key!).keyType, 'aes');
      session.logout();
    } finally {
      session.close();
    }
  });

  it('refuses a wrong PIN with WRONG_SECRET after one C_Login and no key operation', async () => {
    const home = join(tempDir(), 'home');
    (await Vault.create(home, provider('ecdh', 'master-pin', TEST_USER_PIN, true))).close();
    const before = hsm.module.callCounts;
    await assert.rejects(Vault.open(home, provider(undefined, 'master-pin', '000000')), (error: unknown) => {
      assert.ok(isVaultError(error, 'WRONG_SECRET'), String(error));
      assert.ok(!error.message.includes('000000'), 'the PIN is not in the message');
      return true;
    });
    const after = hsm.module.callCounts;
    assert.equal(after.logins - before.logins, 1);
    assert.equal(after.keyOperations - before.keyOperations, 0);
  });

  it('refuses a token key that can be extracted', async () => {
    importAesKeyForTest(hsm, token, {
      label: 'leaky',
      id: Uint8Array.of(9),
      value: new Uint8Array(32).fill(1),
      extractable: true,
    });
    const home = join(tempDir(), 'home');
    await assert.rejects(Vault.create(home, provider(undefined, 'leaky')), (error: unknown) => {
      assert.ok(isVaultError(error, 'BAD_INPUT'), String(error));
      assert.match(error.message, /can be extracted/);
      return true;
    });
  });

  it('says WRONG_SECRET when another key of the same name does not open the slot', async () => {
    const home = join(tempDir(), 'home');
    (await Vault.create(home, provider('aes-kw', 'master-swap', TEST_USER_PIN, true))).close();
    const session = hsm.module.openSession(token.slotId);
    try {
      session.login(token.userPin);
      for (const key of session.findKeys({ label: 'master-swap' })) session.destroyObject(key);
      await session.generateAesKey({ label: 'master-swap', id: Uint8Array.of(7) });
      session.logout();
    } finally {
      session.close();
    }
    await assert.rejects(Vault.open(home, provider(undefined, 'master-swap')), (error: unknown) =>
      isVaultError(error, 'WRONG_SECRET'),
    );
  });

  it('says UNAVAILABLE when the token is gone', async () => {
    const gone = hsm.createToken('gone-test');
    const make = (createKey: boolean) =>
      new Pkcs11KeyProvider({
        module: hsm.module,
        keyUri: 'pkcs11:token=gone-test;object=master',
        pin: TEST_USER_PIN,
        createKey,
      });
    const home = join(tempDir(), 'home');
    (await Vault.create(home, make(true))).close();
    hsm.deleteToken(gone.label);
    await assert.rejects(Vault.open(home, make(false)), (error: unknown) => {
      assert.ok(isVaultError(error, 'UNAVAILABLE'), String(error));
      assert.match(error.message, /not available/);
      return true;
    });
  });
});
