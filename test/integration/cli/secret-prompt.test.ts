import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { tempDir, TEST_SCRYPT_COST } from '../../support/temp.js';
import { inTerminal } from './cli-harness.js';

/** These runs have no VAULT_MANAGER_PASSPHRASE: the prompt is the only way in. */
describe('vault-manager passphrase prompt on a terminal', () => {
  const dir = tempDir('vault-cli-prompt-');
  const home = join(dir, 'home');
  const kdf = ['--kdf-cost', String(TEST_SCRYPT_COST)];

  it('init asks twice, without echo, and creates the vault', async () => {
    const { code, transcript } = await inTerminal(
      ['init', '--home', home, ...kdf],
      ['typed-secret-1', 'typed-secret-1'],
    );
    assert.equal(code, 0, transcript);
    assert.match(transcript, /New vault passphrase: /);
    assert.match(transcript, /Repeat the passphrase: /);
    assert.doesNotMatch(transcript, /typed-secret-1/, 'the passphrase is not echoed');
    assert.ok(existsSync(join(home, 'vault.db')));
  });

  it('unlocks with the passphrase typed at the prompt', async () => {
    const { code, transcript } = await inTerminal(['traces', 'list', '--home', home], ['typed-secret-1']);
    assert.equal(code, 0, transcript);
    assert.match(transcript, /Vault passphrase: /);
    assert.match(transcript, /No traces\./);
    assert.doesNotMatch(transcript, /typed-secret-1/);
  });

  it('exits 1 for a wrong typed passphrase', async () => {
    const { code, transcript } = await inTerminal(['traces', 'list', '--home', home], ['typed-secret-2']);
    assert.equal(code, 1, transcript);
    assert.match(transcript, /cannot unlock/);
  });

  it('init refuses two different passphrases and creates nothing', async () => {
    const other = join(dir, 'mismatch');
    const { code, transcript } = await inTerminal(
      ['init', '--home', other, ...kdf],
      ['first-one', 'second-one'],
    );
    assert.equal(code, 1, transcript);
    assert.match(transcript, /the two passphrases do not match/);
    assert.equal(existsSync(join(other, 'vault.db')), false);
  });
});
