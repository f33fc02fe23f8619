/** The recovery key slot: sealing the root key, opening it, and a real vault created and reopened with it. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isVaultError, type ErrorCode } from '../../../common/errors.js';
import { randomBytes, toHex } from '../../../core/crypto/bytes.js';
import type { StoredSlot } from '../../../core/keys/key-provider.js';
import { PassphraseKeyProvider } from '../../../core/keys/passphrase-provider.js';
import { RecoveryKeyProvider } from '../../../core/keys/recovery-provider.js';
import { databasePath } from '../../../core/vault/home.js';
import { Vault } from '../../../core/vault/vault.js';
import { openDatabase } from '../../../native/sqlite.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST, tempDir } from '../../support/temp.js';

const code = (c: ErrorCode) => (e: unknown) => isVaultError(e, c);
const context = { vaultId: 'b5f1c0de-0000-4000-8000-000000000001' };

async function sealed(provider: RecoveryKeyProvider, rootKey: Uint8Array): Promise<StoredSlot> {
  const { params, wrappedRoot } = await provider.protectRootKey(rootKey, context);
  return { id: 1, kind: provider.kind, label: provider.label, params, wrappedRoot };
}

describe('recovery key provider', () => {
  it('seals the root key under HKDF of the recovery key and opens it again from the typed words', async () => {
    const { provider, words } = RecoveryKeyProvider.generate();
    assert.equal(provider.kind, 'recovery');
    assert.equal(provider.label, 'recovery key');
    assert.equal(words.length, 24);
    const rootKey = randomBytes(32);
    const slot = await sealed(provider, rootKey);
    assert.deepEqual(Object.keys(slot.params).sort(), ['kdf', 'nonce', 'salt']);
    assert.equal(slot.params.kdf, 'hkdf-sha256');
    assert.match(String(slot.params.salt), /^[0-9a-f]{32}$/);
    assert.equal(slot.wrappedRoot.length, 48, '32-byte root key + 16-byte GCM tag');
    const typed = RecoveryKeyProvider.fromWords(words.join(' '));
    assert.equal(toHex(await typed.recoverRootKey(slot, context)), toHex(rootKey));
  });

  it('uses a fresh salt and nonce for every slot, so two slots of one key share no bytes', async () => {
    const { provider } = RecoveryKeyProvider.generate();
    const rootKey = randomBytes(32);
    const [a, b] = [await sealed(provider, rootKey), await sealed(provider, rootKey)];
    assert.notEqual(a.params.salt, b.params.salt);
    assert.notEqual(a.params.nonce, b.params.nonce);
    assert.notEqual(toHex(a.wrappedRoot), toHex(b.wrappedRoot));
  });

  it('answers WRONG_SECRET to another recovery key, another vault id, or an altered salt or sealed key', async () => {
    const { provider } = RecoveryKeyProvider.generate();
    const rootKey = randomBytes(32);
    const slot = await sealed(provider, rootKey);
    const other = RecoveryKeyProvider.generate().provider;
    await assert.rejects(other.recoverRootKey(slot, context), code('WRONG_SECRET'));
    await assert.rejects(provider.recoverRootKey(slot, { vaultId: 'another-vault' }), code('WRONG_SECRET'));
    const salt = String(slot.params.salt);
    const alteredSalt = {
      ...slot,
      params: { ...slot.params, salt: (salt[0] === '0' ? '1' : '0') + salt.slice(1) },
    };
    await assert.rejects(provider.recoverRootKey(alteredSalt, context), code('WRONG_SECRET'));
    const alteredKey = { ...slot, wrappedRoot: slot.wrappedRoot.slice() };
    alteredKey.wrappedRoot[0]! ^= 1;
    await assert.rejects(provider.recoverRootKey(alteredKey, context), code('WRONG_SECRET'));
    assert.equal(
      toHex(await provider.recoverRootKey(slot, context)),
      toHex(rootKey),
      'the untouched slot opens',
    );
  });

  it('says INTEGRITY for unreadable parameters or a sealed key of the wrong size, naming the slot', async () => {
    const { provider } = RecoveryKeyProvider.generate();
    const slot = await sealed(provider, randomBytes(32));
    const unreadable = { ...slot, id: 7, params: { kdf: 'scrypt', salt: slot.params.salt } };
    await assert.rejects(
      provider.recoverRootKey(unreadable, context),
      (e: unknown) =>
        isVaultError(e, 'INTEGRITY') && e.message === 'key slot 7 has unreadable recovery parameters',
    );
    const short = { ...slot, wrappedRoot: slot.wrappedRoot.subarray(0, 47) };
    await assert.rejects(provider.recoverRootKey(short, context), code('INTEGRITY'));
  });

  it('refuses every call with LOCKED once destroy() has wiped the recovery key', async () => {
    const { provider } = RecoveryKeyProvider.generate();
    const slot = await sealed(provider, randomBytes(32));
    provider.destroy();
    await assert.rejects(provider.recoverRootKey(slot, context), code('LOCKED'));
    await assert.rejects(provider.protectRootKey(randomBytes(32), context), code('LOCKED'));
  });

  it('passes BAD_INPUT from the words through fromWords, before any slot is touched', () => {
    assert.throws(() => RecoveryKeyProvider.fromWords('abandon abandon'), code('BAD_INPUT'));
  });
});

describe('a vault whose key slot is a recovery key', () => {
  it('is created with a recovery slot and reopened from the parsed words, data intact', async () => {
    const home = join(tempDir(), 'home');
    const { provider, words } = RecoveryKeyProvider.generate();
    const vault = await Vault.create(home, provider);
    vault.put([
      {
        id: 'recovery-1',
        agent_id: 'agent-a',
        user_id: 'user-a',
        started_at: '2026-01-02T03:04:05Z',
        messages: [{ role: 'user' as const, content: 'metformin five hundred milligrams' }],
      },
    ]);
    vault.close();
    provider.destroy();

    const db = openDatabase(databasePath(home), { readonly: true });
    const slots = db.prepare('SELECT kind, label FROM key_slots').all();
    db.close();
    assert.deepEqual(slots, [{ kind: 'recovery', label: 'recovery key' }]);

    await assert.rejects(Vault.open(home, RecoveryKeyProvider.generate().provider), code('WRONG_SECRET'));
    await assert.rejects(
      Vault.open(home, new PassphraseKeyProvider(TEST_PASSPHRASE, TEST_SCRYPT_COST)),
      code('WRONG_SECRET'),
      'no passphrase slot',
    );
    const reopened = await Vault.open(home, RecoveryKeyProvider.fromWords(words.join('\n').toUpperCase()));
    assert.equal(reopened.get('recovery-1').messages[0]!.content, 'metformin five hundred milligrams');
    reopened.close();
  });
});
