/**
 * `init --key-provider pkcs11|keychain` and unlocking by the vault's key slot, against a SoftHSM2 token
 * made by the test and a gnome-keyring in a private D-Bus session.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { KeySlotSummary } from '../../../core/vault/inspect.js';
import { TraceFactory } from '../../support/synthetic-traces.js';
import { tempDir } from '../../support/temp.js';
import { expectExit, inTerminal, runJson, writeJsonLines, type CliResult } from './cli-harness.js';
import { runAsDesktopUser, softHsmTokenDir, throwawayUser } from './token-harness.js';

const PIN = '583920';
const WRONG_PIN = '771104';

interface InitDoc {
  keyProvider: string;
  keySlot: KeySlotSummary;
}
interface SearchDoc {
  hits: { id: string }[];
}

const dir = tempDir('vault-cli-token-');
const factory = new TraceFactory(11, 500);
const traces = writeJsonLines(join(dir, 'traces.jsonl'), [
  factory.trace({ id: 'tok-1', bytes: 400, extra: 'zebrafinch' }),
  factory.trace({ id: 'tok-2', bytes: 400 }),
]);

function assertNoPin(result: CliResult | { transcript: string }, ...pins: string[]): void {
  const shown = 'transcript' in result ? result.transcript : result.stdout + result.stderr;
  for (const pin of pins) assert.ok(!shown.includes(pin), 'a PIN must never be shown');
}

describe('vault-manager with a PKCS#11 token', () => {
  const tokens = softHsmTokenDir();
  /** No passphrase anywhere: whatever unlocks, it is the token. */
  const withPin = (pin?: string) => ({
    env: { SOFTHSM2_CONF: tokens.conf, VAULT_MANAGER_PASSPHRASE: undefined, VAULT_MANAGER_PIN: pin },
  });
  const home = join(dir, 'aes');

  it('creates a vault on the token, imports and searches it with the PIN alone', async () => {
    tokens.createToken('ward-7', PIN);
    const { doc, result } = await runJson<InitDoc>(
      ['init', '--home', home, '--key-provider', 'pkcs11', '--token-label', 'ward-7'],
      0,
      withPin(PIN),
    );
    assert.equal(doc.keyProvider, 'pkcs11');
    assert.equal(doc.keySlot.kind, 'pkcs11');
    assert.match(doc.keySlot.uri ?? '', /^pkcs11:token=ward-7;object=vault-manager-master;id=%[0-9A-F]{2}/i);
    assertNoPin(result, PIN);

    await expectExit(['import', '--home', home, '--file', traces], 0, withPin(PIN));
    const found = await runJson<SearchDoc>(
      ['traces', 'search', 'zebrafinch', '--home', home],
      0,
      withPin(PIN),
    );
    assert.deepEqual(
      found.doc.hits.map((h) => h.id),
      ['tok-1'],
    );
    const listed = await runJson<{ traces: { id: string }[] }>(
      ['traces', 'list', '--home', home, '--unlock-with', 'pkcs11'],
      0,
      withPin(PIN),
    );
    assert.deepEqual(listed.doc.traces.map((t) => t.id).sort(), ['tok-1', 'tok-2']);
  });

  it("refuses a wrong PIN with exit 1 and the token's words, never showing the PIN", async () => {
    const plain = await expectExit(['traces', 'list', '--home', home], 1, withPin(WRONG_PIN));
    assert.match(plain.stderr, /^error: cannot unlock: The smartcard PIN is not correct\./m);
    assertNoPin(plain, WRONG_PIN, PIN);

    const { doc, result } = await runJson<{ error: { code: string; message: string } }>(
      ['traces', 'search', 'zebrafinch', '--home', home],
      1,
      withPin(WRONG_PIN),
    );
    assert.equal(doc.error.code, 'WRONG_SECRET');
    // SoftHSM sets CKF_USER_PIN_COUNT_LOW after a wrong PIN, and the message passes that on.
    assert.match(doc.error.message, /PIN is not correct\. Only a few tries are left/);
    assertNoPin(result, WRONG_PIN, PIN);
  });

  it('asks for the PIN on the terminal without echoing it', async () => {
    const env = withPin(undefined).env;
    const right = await inTerminal(['traces', 'get', 'tok-2', '--home', home], [PIN], env, /PIN: /g);
    assert.equal(right.code, 0, right.transcript);
    assert.match(right.transcript, /Token PIN: /);
    assert.match(right.transcript, /tok-2/);
    assertNoPin(right, PIN);

    const wrong = await inTerminal(['traces', 'list', '--home', home], [WRONG_PIN], env, /PIN: /g);
    assert.equal(wrong.code, 1, wrong.transcript);
    assert.match(wrong.transcript, /cannot unlock: The smartcard PIN is not correct/);
    assertNoPin(wrong, WRONG_PIN);
  });

  it('says the vault has no such slot when told to unlock with a passphrase', async () => {
    const result = await expectExit(['traces', 'list', '--home', home, '--unlock-with', 'passphrase'], 1, {
      env: { SOFTHSM2_CONF: tokens.conf, VAULT_MANAGER_PASSPHRASE: 'anything at all' },
    });
    assert.match(result.stderr, /cannot unlock: the vault in .* has no passphrase key slot/);
  });

  for (const mechanism of ['ecdh', 'rsa-oaep'] as const) {
    it(`creates and opens a vault with --mechanism ${mechanism} (smartcards without AES)`, async () => {
      const label = `card-${mechanism}`;
      tokens.createToken(label, PIN);
      const cardHome = join(dir, mechanism);
      await expectExit(
        [
          'init',
          '--home',
          cardHome,
          '--key-provider',
          'pkcs11',
          '--token-label',
          label,
          '--mechanism',
          mechanism,
        ],
        0,
        withPin(PIN),
      );
      await expectExit(['import', '--home', cardHome, '--file', traces], 0, withPin(PIN));
      const found = await runJson<SearchDoc>(
        ['traces', 'search', 'zebrafinch', '--home', cardHome],
        0,
        withPin(PIN),
      );
      assert.deepEqual(
        found.doc.hits.map((h) => h.id),
        ['tok-1'],
      );
    });
  }

  it('asks for the card, before any PIN, when the token is gone', async () => {
    const gone = join(dir, 'gone');
    tokens.createToken('pulled', PIN);
    await expectExit(
      ['init', '--home', gone, '--key-provider', 'pkcs11', '--token-label', 'pulled'],
      0,
      withPin(PIN),
    );
    tokens.deleteToken('pulled');
    // No PIN in the environment and no terminal: had the PIN been asked for, that would be the error.
    const { doc, result } = await runJson<{ error: { code: string; message: string } }>(
      ['traces', 'list', '--home', gone],
      1,
      withPin(undefined),
    );
    assert.equal(doc.error.code, 'UNAVAILABLE');
    assert.match(doc.error.message, /"pulled" is not available\. Insert the card or token and try again/);
    assert.match(result.stderr, /^error: key store unavailable: .*Insert the card/m);
  });

  it('wants --token-label, and refuses a PIN-less run without a terminal', async () => {
    const usage = await expectExit(
      ['init', '--home', join(dir, 'u'), '--key-provider', 'pkcs11'],
      2,
      withPin(PIN),
    );
    assert.match(usage.stderr, /--token-label/);
    tokens.createToken('no-pin', PIN);
    const none = await expectExit(
      ['init', '--home', join(dir, 'n'), '--key-provider', 'pkcs11', '--token-label', 'no-pin'],
      1,
      withPin(undefined),
    );
    assert.match(none.stderr, /no PIN: set VAULT_MANAGER_PIN/);
  });
});

describe('vault-manager with the OS keychain', () => {
  const KEYRING_PASSWORD = 'keyring password of the test user';
  const user = throwawayUser();
  const home = join(dir, 'keychain');

  it('creates a vault in the keychain, imports and searches it with no secret typed', async () => {
    const init = await runAsDesktopUser(
      user,
      ['init', '--home', home, '--key-provider', 'keychain', '--json'],
      KEYRING_PASSWORD,
    );
    assert.equal(init.code, 0, init.stderr);
    assert.equal((JSON.parse(init.stdout) as InitDoc).keySlot.kind, 'keychain');
    const imported = await runAsDesktopUser(
      user,
      ['import', '--home', home, '--file', traces],
      KEYRING_PASSWORD,
    );
    assert.equal(imported.code, 0, imported.stderr);
    const found = await runAsDesktopUser(
      user,
      ['traces', 'search', 'zebrafinch', '--home', home, '--json'],
      KEYRING_PASSWORD,
    );
    assert.equal(found.code, 0, found.stderr);
    assert.deepEqual(
      (JSON.parse(found.stdout) as SearchDoc).hits.map((h) => h.id),
      ['tok-1'],
    );
  });

  it('says the keychain is unavailable, exit 1, without a D-Bus session', async () => {
    const result = await runAsDesktopUser(user, ['traces', 'list', '--home', home], null);
    assert.equal(result.code, 1, result.stderr);
    assert.match(
      result.stderr,
      /^error: key store unavailable: the OS keychain is not available: could not read/m,
    );
  });
});
