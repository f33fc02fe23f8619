/** The safeStorage key slot: round trip through a real vault, what it refuses, and what a wrong blob says. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isVaultError, type ErrorCode } from '../../../common/errors.js';
import { randomBytes } from '../../../core/crypto/bytes.js';
import type { StoredSlot } from '../../../core/keys/key-provider.js';
import { Vault } from '../../../core/vault/vault.js';
import { SafeStorageKeyProvider, SafeStorageUnavailableError } from '../../../main/safe-storage-provider.js';
import { tempDir } from '../../support/temp.js';
import { FakeSafeStorage } from './fake-safe-storage.js';

const code = (c: ErrorCode) => (e: unknown) => isVaultError(e, c);
const refused = (pattern: RegExp) => (e: unknown) =>
  e instanceof SafeStorageUnavailableError && pattern.test(e.message);

const context = { vaultId: 'b3c1a3f0-0000-4000-8000-000000000001' };

const sample = {
  id: 'safe-storage-1',
  agent_id: 'agent-a',
  user_id: 'user-a',
  started_at: '2026-01-02T03:04:05Z',
  messages: [{ role: 'user' as const, content: 'metformin five hundred milligrams' }],
};

/** A slot as the vault stores it: params go through JSON, as they do in the key_slots table. */
async function slotOf(provider: SafeStorageKeyProvider, rootKey: Uint8Array, vaultId = context.vaultId) {
  const { params, wrappedRoot } = await provider.protectRootKey(rootKey, { vaultId });
  return {
    id: 1,
    kind: provider.kind,
    label: provider.label,
    params: JSON.parse(JSON.stringify(params)) as Record<string, unknown>,
    wrappedRoot,
  } satisfies StoredSlot;
}

describe('safeStorage key slot', () => {
  it('creates a vault, and a new provider over the same OS key opens it with one decryption', async () => {
    const fakeSafeStorage = new FakeSafeStorage();
    const home = join(tempDir(), 'home');
    const vault = await Vault.create(
      home,
      new SafeStorageKeyProvider(fakeSafeStorage, { platform: 'linux' }),
    );
    vault.put([sample]);
    vault.close();

    fakeSafeStorage.decryptions = 0;
    const again = await Vault.open(home, new SafeStorageKeyProvider(fakeSafeStorage, { platform: 'linux' }));
    assert.equal(again.get('safe-storage-1').messages[0]!.content, 'metformin five hundred milligrams');
    again.close();
    assert.equal(fakeSafeStorage.decryptions, 1, 'an unlock costs exactly one safeStorage decryption');
  });

  it('hands safeStorage a fresh base64 slot secret, never the root key', async () => {
    const fakeSafeStorage = new FakeSafeStorage();
    const provider = new SafeStorageKeyProvider(fakeSafeStorage, { platform: 'linux' });
    const rootKey = randomBytes(32);
    await slotOf(provider, rootKey);
    await slotOf(provider, rootKey);
    const [first, second] = fakeSafeStorage.encrypted;
    assert.match(first!, /^[A-Za-z0-9+/]{43}=$/, 'the secret is 32 bytes in base64');
    assert.notEqual(first, Buffer.from(rootKey).toString('base64'), 'safeStorage must not see the root key');
    assert.notEqual(first, second, 'each slot has its own secret');
  });

  it("refuses Linux's 'basic_text' backend when protecting and when recovering", async () => {
    const fakeSafeStorage = new FakeSafeStorage();
    const provider = new SafeStorageKeyProvider(fakeSafeStorage, { platform: 'linux' });
    const slot = await slotOf(provider, randomBytes(32));

    fakeSafeStorage.backend = 'basic_text';
    await assert.rejects(
      provider.protectRootKey(randomBytes(32), context),
      refused(/'basic_text'.*hard-coded/),
    );
    fakeSafeStorage.decryptions = 0;
    await assert.rejects(provider.recoverRootKey(slot, context), refused(/'basic_text'/));
    assert.equal(fakeSafeStorage.decryptions, 0, 'nothing is decrypted under basic_text');
    assert.equal(fakeSafeStorage.encrypted.length, 1, 'nothing is encrypted under basic_text');
  });

  it('refuses Vault.create under basic_text with the reason, not a crash', async () => {
    const fakeSafeStorage = new FakeSafeStorage();
    fakeSafeStorage.backend = 'basic_text';
    const home = join(tempDir(), 'home');
    await assert.rejects(
      Vault.create(home, new SafeStorageKeyProvider(fakeSafeStorage, { platform: 'linux' })),
      refused(/no secret service/),
    );
  });

  it('refuses when encryption is unavailable, and before the app has chosen a backend', async () => {
    const fakeSafeStorage = new FakeSafeStorage();
    const provider = new SafeStorageKeyProvider(fakeSafeStorage, { platform: 'linux' });
    const slot = await slotOf(provider, randomBytes(32));

    fakeSafeStorage.available = false;
    await assert.rejects(provider.protectRootKey(randomBytes(32), context), refused(/cannot encrypt here/));
    await assert.rejects(provider.recoverRootKey(slot, context), refused(/cannot encrypt here/));

    fakeSafeStorage.available = true;
    fakeSafeStorage.backend = 'unknown';
    await assert.rejects(provider.recoverRootKey(slot, context), refused(/'ready' event/));
  });

  it('does not ask for a storage backend outside Linux, where Electron has none to report', async () => {
    const fakeSafeStorage = new FakeSafeStorage();
    fakeSafeStorage.getSelectedStorageBackend = () => {
      throw new Error('getSelectedStorageBackend is Linux-only');
    };
    const provider = new SafeStorageKeyProvider(fakeSafeStorage, { platform: 'darwin' });
    const rootKey = randomBytes(32);
    const recovered = await provider.recoverRootKey(await slotOf(provider, rootKey), context);
    assert.ok(Buffer.from(recovered).equals(rootKey), 'the slot gives back the root key it protected');
  });

  it("says WRONG_SECRET for a blob sealed by another user's OS key", async () => {
    const provider = new SafeStorageKeyProvider(new FakeSafeStorage(), { platform: 'linux' });
    const slot = await slotOf(provider, randomBytes(32));
    const otherUser = new SafeStorageKeyProvider(new FakeSafeStorage(), { platform: 'linux' });
    await assert.rejects(otherUser.recoverRootKey(slot, context), code('WRONG_SECRET'));
  });

  it("says WRONG_SECRET for another slot's blob, and for a blob that holds no slot secret", async () => {
    const fakeSafeStorage = new FakeSafeStorage();
    const provider = new SafeStorageKeyProvider(fakeSafeStorage, { platform: 'linux' });
    const slot = await slotOf(provider, randomBytes(32));
    const other = await slotOf(provider, randomBytes(32));

    const swapped = { ...slot, params: { ...slot.params, sealedSecret: other.params.sealedSecret } };
    await assert.rejects(provider.recoverRootKey(swapped, context), code('WRONG_SECRET'));

    const notASecret = fakeSafeStorage.encryptString('clinic-canary-7781').toString('base64');
    const altered = { ...slot, params: { ...slot.params, sealedSecret: notASecret } };
    await assert.rejects(provider.recoverRootKey(altered, context), (e: unknown) => {
      assert.ok(isVaultError(e, 'WRONG_SECRET'), `expected WRONG_SECRET, got ${String(e)}`);
      assert.doesNotMatch(e.message, /clinic-canary-7781/, 'the stored value is never echoed');
      return true;
    });
  });

  it('says WRONG_SECRET for a slot moved to another vault', async () => {
    const provider = new SafeStorageKeyProvider(new FakeSafeStorage(), { platform: 'linux' });
    const slot = await slotOf(provider, randomBytes(32));
    await assert.rejects(
      provider.recoverRootKey(slot, { vaultId: 'b3c1a3f0-0000-4000-8000-000000000002' }),
      code('WRONG_SECRET'),
    );
  });

  it('says INTEGRITY for unreadable slot parameters', async () => {
    const provider = new SafeStorageKeyProvider(new FakeSafeStorage(), { platform: 'linux' });
    const slot = await slotOf(provider, randomBytes(32));
    await assert.rejects(
      provider.recoverRootKey({ ...slot, params: { nonce: slot.params.nonce } }, context),
      code('INTEGRITY'),
    );
  });
});
