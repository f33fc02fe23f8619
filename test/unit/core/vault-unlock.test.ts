/** Opening and locking a vault: which secret opens it, what an empty or existing home says, what close does. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isVaultError, type ErrorCode } from '../../../common/errors.js';
import { PassphraseKeyProvider } from '../../../core/keys/passphrase-provider.js';
import { databasePath } from '../../../core/vault/home.js';
import { Vault } from '../../../core/vault/vault.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST, tempDir } from '../../support/temp.js';

const provider = (passphrase = TEST_PASSPHRASE) => new PassphraseKeyProvider(passphrase, TEST_SCRYPT_COST);
const code = (c: ErrorCode) => (e: unknown) => isVaultError(e, c);

const sample = {
  id: 'unlock-1',
  agent_id: 'agent-a',
  user_id: 'user-a',
  started_at: '2026-01-02T03:04:05Z',
  messages: [{ role: 'user' as const, content: 'lisinopril ten milligrams' }],
};

describe('vault unlock', () => {
  it('opens with the right passphrase and refuses a wrong one with WRONG_SECRET', async () => {
    const home = join(tempDir(), 'home');
    (await Vault.create(home, provider())).close();
    await assert.rejects(Vault.open(home, provider('wrong horse')), code('WRONG_SECRET'));
    const vault = await Vault.open(home, provider());
    assert.equal(vault.count(), 0, 'a refused attempt leaves the vault usable');
    vault.close();
  });

  it('accepts the passphrase in either Unicode normalisation form', async () => {
    const home = join(tempDir(), 'home');
    (await Vault.create(home, provider('caf\u00e9 clinic'))).close();
    const vault = await Vault.open(home, provider('cafe\u0301 clinic'));
    vault.close();
  });

  it('refuses an empty passphrase and a scrypt cost below the floor with BAD_INPUT', () => {
    assert.throws(() => new PassphraseKeyProvider(''), code('BAD_INPUT'));
    assert.throws(() => new PassphraseKeyProvider('x', TEST_SCRYPT_COST - 1), code('BAD_INPUT'));
  });

  it('says NOT_INITIALIZED for a home without a vault, and creates nothing there', async () => {
    const home = join(tempDir(), 'empty-home');
    await assert.rejects(Vault.open(home, provider()), code('NOT_INITIALIZED'));
    assert.equal(existsSync(databasePath(home)), false);
  });

  it('says ALREADY_INITIALIZED when creating over an existing vault, and keeps its data', async () => {
    const home = join(tempDir(), 'home');
    const vault = await Vault.create(home, provider());
    vault.put([sample]);
    vault.close();
    await assert.rejects(Vault.create(home, provider('another')), code('ALREADY_INITIALIZED'));
    const again = await Vault.open(home, provider());
    assert.equal(again.get('unlock-1').messages[0]!.content, 'lisinopril ten milligrams');
    again.close();
  });

  it('answers LOCKED to every call after close()', async () => {
    const dir = tempDir();
    const vault = await Vault.create(join(dir, 'home'), provider());
    vault.put([sample]);
    vault.close();
    const calls: [string, () => unknown][] = [
      ['put', () => vault.put([sample])],
      ['get', () => vault.get('unlock-1')],
      ['getMany', () => vault.getMany(['unlock-1'])],
      ['list', () => vault.list()],
      ['count', () => vault.count()],
      ['search', () => vault.search({ query: 'lisinopril' })],
      ['searchIds', () => vault.searchIds({ query: 'lisinopril' })],
      ['delete', () => vault.delete('unlock-1')],
      ['exportTo', () => vault.exportTo(join(dir, 'out.jsonl'))],
    ];
    for (const [name, call] of calls) assert.throws(call, code('LOCKED'), `${name} after close`);
    await assert.rejects(async () => vault.importFile(join(dir, 'none.jsonl')), code('LOCKED'), 'importFile');
    vault.close(); // closing twice is harmless
  });
});
