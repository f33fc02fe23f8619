import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ErrorCode, VaultError } from '../../../common/errors.js';
import { describeError } from '../../../cli/report-error.js';
import { decodeJsonLine } from '../../../core/ingest/decode-line.js';
import { tempDir } from '../../support/temp.js';
import { expectExit, initVault, KDF, runCli, runJson } from './cli-harness.js';

interface ErrorDoc {
  error: { code: string; message: string };
}

describe('vault-manager exit codes and error messages', () => {
  const dir = tempDir('vault-cli-exit-');
  const home = join(dir, 'home');

  it('prints usage with --help and exits 0', async () => {
    const { stdout } = await expectExit(['--help'], 0);
    assert.match(stdout, /Usage: vault-manager/);
    for (const command of ['init', 'import', 'traces', 'export', 'health', 'quickstart']) {
      assert.match(stdout, new RegExp(`^  ${command}\\b`, 'm'), `--help lists ${command}`);
    }
  });

  it('exits 0 for a command that works', async () => {
    await initVault(home);
    await expectExit(['traces', 'list', '--home', home], 0);
  });

  it('exits 2 for an unknown option, naming it', async () => {
    const { stderr, stdout } = await expectExit(['traces', 'list', '--home', home, '--bogus'], 2);
    assert.match(stderr, /unknown option '--bogus'/);
    assert.equal(stdout, '');
  });

  it('exits 2 for an unknown command, and with no command at all', async () => {
    assert.match((await expectExit(['frobnicate'], 2)).stderr, /unknown command 'frobnicate'/);
    await expectExit([], 2);
  });

  it('exits 2 when import has no --file', async () => {
    const { stderr } = await expectExit(['import', '--home', home], 2);
    assert.match(stderr, /required option '--file <path>' not specified/);
  });

  it('exits 2 for a missing argument and for bad flag values', async () => {
    assert.match(
      (await expectExit(['traces', 'get', '--home', home], 2)).stderr,
      /missing required argument 'id'/,
    );
    assert.match(
      (await expectExit(['traces', 'list', '--home', home, '--limit', 'ten'], 2)).stderr,
      /'--limit <n>' argument 'ten' is invalid/,
    );
    await expectExit(['traces', 'list', '--home', home, '--limit', '0'], 2);
    await expectExit(['traces', 'list', '--home', home, '--from', 'yesterday'], 2);
    await expectExit(['traces', 'search', 'x', '--home', home, '--order', 'random'], 2);
    await expectExit(['import', '--home', home, '--file', 'x', '--format', 'csv'], 2);
    await expectExit(['init', '--home', join(dir, 'cost'), '--kdf-cost', '8'], 2);
    assert.equal(existsSync(join(dir, 'cost')), false, 'a usage error creates nothing');
  });

  it('names the key providers that exist when another is asked for', async () => {
    const { stderr } = await expectExit(
      ['init', '--home', join(dir, 'kp'), ...KDF, '--key-provider', 'smartcard'],
      2,
    );
    assert.match(stderr, /'smartcard' is invalid\. Allowed choices are passphrase, pkcs11, keychain/);
  });

  it('refuses a passphrase flag: there is none', async () => {
    const { stderr } = await expectExit(['traces', 'list', '--home', home, '--passphrase', 'x'], 2);
    assert.match(stderr, /unknown option '--passphrase'/);
  });

  it('exits 1 with a clear message for a wrong passphrase', async () => {
    const { stderr, stdout } = await expectExit(['traces', 'list', '--home', home], 1, {
      env: { VAULT_MANAGER_PASSPHRASE: 'not the passphrase' },
    });
    assert.equal(stderr.trim(), 'error: cannot unlock: the passphrase does not open this vault');
    assert.equal(stdout, '');
    assert.doesNotMatch(stderr, /not the passphrase/);
  });

  it('exits 1 without a terminal and without VAULT_MANAGER_PASSPHRASE', async () => {
    const { stderr } = await expectExit(['traces', 'list', '--home', home], 1, {
      env: { VAULT_MANAGER_PASSPHRASE: undefined },
    });
    assert.match(stderr, /no passphrase: set VAULT_MANAGER_PASSPHRASE, or run this command in a terminal/);
  });

  it('exits 1 when there is no vault, saying how to make one', async () => {
    const { stderr } = await expectExit(['traces', 'list', '--home', join(dir, 'none')], 1);
    assert.match(stderr, /no vault in .*none; run `vault-manager init` first/);
  });

  it('refuses to init over an existing vault', async () => {
    const { stderr } = await expectExit(['init', '--home', home, ...KDF], 1);
    assert.match(stderr, /a vault already exists in /);
    // The original vault still opens with its passphrase.
    await expectExit(['traces', 'list', '--home', home], 0);
  });

  it('with --json, errors are one document on stdout too', async () => {
    const wrong = await runJson<ErrorDoc>(['traces', 'list', '--home', home], 1, {
      env: { VAULT_MANAGER_PASSPHRASE: 'wrong' },
    });
    assert.equal(wrong.doc.error.code, 'WRONG_SECRET');
    const usage = await runJson<ErrorDoc>(['traces', 'list', '--home', home, '--bogus'], 2);
    assert.equal(usage.doc.error.code, 'USAGE');
    assert.match(usage.doc.error.message, /--bogus/);
  });

  it('reports a failure in one line, without a stack', async () => {
    const result = await runCli(['traces', 'get', 'nope', '--home', home]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim().split('\n').length, 1, `one line, got: ${result.stderr}`);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  });

  it('describes an unexpected failure in one line, and engine errors by code', () => {
    const unexpected = describeError(new TypeError('first line\nsecond line'));
    assert.equal(unexpected.code, 'UNEXPECTED');
    assert.equal(unexpected.exitCode, 1);
    assert.equal(
      unexpected.message,
      'unexpected failure: TypeError: first line (set VAULT_MANAGER_DEBUG=1 for details)',
    );
    const wrong = describeError(
      new VaultError(ErrorCode.WRONG_SECRET, 'the passphrase does not open this vault'),
    );
    assert.deepEqual(wrong, {
      code: 'WRONG_SECRET',
      message: 'cannot unlock: the passphrase does not open this vault',
      exitCode: 1,
    });
  });

  it('never quotes a rejected line in its reason', () => {
    for (const line of ['not json secret', '{"a": secret}', '{"a": 1,', '[1, 2 secret']) {
      const decoded = decodeJsonLine(Buffer.from(line));
      assert.equal(decoded.ok, false, `${line} should be rejected`);
      if (!decoded.ok)
        assert.doesNotMatch(decoded.reason, /secret|json"|a"/, `reason quotes the line: ${decoded.reason}`);
    }
  });
});
