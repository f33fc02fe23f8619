/**
 * `keys slots add --kind pkcs11|keychain`, `keys slots remove` of a keychain slot, and `keys rotate-master`,
 * against SoftHSM2 tokens made by the test and a gnome-keyring in a private D-Bus session.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { readStoredSlot } from '../../../core/vault/inspect.js';
import type { KeySlotInfo } from '../../../core/vault/vault.js';
import { TraceFactory } from '../../support/synthetic-traces.js';
import { TEST_PASSPHRASE, tempDir } from '../../support/temp.js';
import { expectExit, initVault, inTerminal, runJson, writeJsonLines, type CliResult } from './cli-harness.js';
import { runAsDesktopUser, runInDesktopSession, softHsmTokenDir, throwawayUser } from './token-harness.js';

const PIN = '402817';
const OTHER_PIN = '935561';
const ENTRY_CHILD = fileURLToPath(new URL('./fixtures/keychain-entry.js', import.meta.url));

interface SearchDoc {
  hits: { id: string }[];
}
interface SlotsDoc {
  slots: KeySlotInfo[];
}

const dir = tempDir('vault-cli-token-slots-');
const factory = new TraceFactory(13, 500);
const traces = writeJsonLines(join(dir, 'traces.jsonl'), [
  factory.trace({ id: 'ts-1', bytes: 400, extra: 'zebrafinch' }),
  factory.trace({ id: 'ts-2', bytes: 400 }),
]);

function assertNoSecret(result: CliResult | { transcript: string }, ...secrets: string[]): void {
  const shown = 'transcript' in result ? result.transcript : result.stdout + result.stderr;
  for (const secret of secrets) assert.ok(!shown.includes(secret), 'a PIN or passphrase must never be shown');
}

describe('key slots on a PKCS#11 token', () => {
  const tokens = softHsmTokenDir();
  const home = join(dir, 'pass-then-token');
  /** The vault unlocked by its passphrase; a new token's PIN only where a test gives one. */
  const byPassphrase = (extra: Record<string, string | undefined> = {}) => ({
    env: { SOFTHSM2_CONF: tokens.conf, ...extra },
  });
  /** No passphrase anywhere: whatever unlocks, it is the token. */
  const byToken = (pin: string) => ({
    env: { SOFTHSM2_CONF: tokens.conf, VAULT_MANAGER_PASSPHRASE: undefined, VAULT_MANAGER_PIN: pin },
  });
  const addToken = (label: string) => [
    'keys',
    'slots',
    'add',
    '--home',
    home,
    '--kind',
    'pkcs11',
    '--token-label',
    label,
  ];

  it('adds a token slot to a passphrase vault, with the new PIN from VAULT_MANAGER_NEW_PIN', async () => {
    tokens.createToken('ward-9', PIN);
    await initVault(home);
    await expectExit(['import', '--home', home, '--file', traces], 0);

    // The unlocking PIN is not the new token's: without VAULT_MANAGER_NEW_PIN nothing is added.
    const none = await expectExit(addToken('ward-9'), 1, byPassphrase({ VAULT_MANAGER_PIN: PIN }));
    assert.match(none.stderr, /no PIN: set VAULT_MANAGER_NEW_PIN/);

    const { doc, result } = await runJson<{ id: number; kind: string; label: string }>(
      [...addToken('ward-9'), '--label', 'ward 9 card'],
      0,
      byPassphrase({ VAULT_MANAGER_NEW_PIN: PIN }),
    );
    assert.equal(doc.kind, 'pkcs11');
    assert.equal(doc.label, 'ward 9 card');
    assertNoSecret(result, PIN);
    const listed = await runJson<SlotsDoc>(['keys', 'slots', 'list', '--home', home], 0, byPassphrase());
    assert.deepEqual(
      listed.doc.slots.map((s) => [s.kind, s.label]),
      [
        ['passphrase', 'passphrase'],
        ['pkcs11', 'ward 9 card'],
      ],
    );
  });

  it('then opens with --unlock-with pkcs11 and the token PIN alone', async () => {
    const found = await runJson<SearchDoc>(
      ['traces', 'search', 'zebrafinch', '--home', home, '--unlock-with', 'pkcs11'],
      0,
      byToken(PIN),
    );
    assert.deepEqual(
      found.doc.hits.map((h) => h.id),
      ['ts-1'],
    );
    const wrong = await expectExit(
      ['traces', 'list', '--home', home, '--unlock-with', 'pkcs11'],
      1,
      byToken(OTHER_PIN),
    );
    assert.match(wrong.stderr, /cannot unlock: The smartcard PIN is not correct/);
  });

  it('asks for the new token PIN on the terminal without echoing it', async () => {
    tokens.createToken('ward-10', OTHER_PIN);
    const env = { SOFTHSM2_CONF: tokens.conf, VAULT_MANAGER_PASSPHRASE: TEST_PASSPHRASE };
    const typed = await inTerminal(addToken('ward-10'), [OTHER_PIN], env, /PIN of the new token: /g);
    assert.equal(typed.code, 0, typed.transcript);
    assert.match(typed.transcript, /Added pkcs11 key slot \d+\./);
    assertNoSecret(typed, OTHER_PIN);
  });

  it('wants --token-label before it unlocks anything', async () => {
    // No passphrase either: had the vault been unlocked first, that would be the error.
    const usage = await expectExit(
      ['keys', 'slots', 'add', '--home', home, '--kind', 'pkcs11'],
      2,
      byPassphrase({ VAULT_MANAGER_PASSPHRASE: undefined }),
    );
    assert.match(usage.stderr, /--kind pkcs11 needs --token-label/);
  });

  it('rotate-master --kind pkcs11 moves the vault to a token key alone; the passphrase is refused', async () => {
    const moved = await expectExit(
      [
        'keys',
        'rotate-master',
        '--home',
        home,
        '--kind',
        'pkcs11',
        '--token-label',
        'ward-9',
        '--key-label',
        'new-master',
      ],
      0,
      byPassphrase({ VAULT_MANAGER_NEW_PIN: PIN }),
    );
    assert.match(moved.stdout, /fresh root key, opened by key slot \d+ \(pkcs11\) alone/);
    assert.match(moved.stdout, /Every other key slot was removed: 3 slot\(s\) no longer open this vault/);
    assert.match(moved.stdout, /keys slots add/);
    assertNoSecret(moved, PIN, TEST_PASSPHRASE);

    const refused = await expectExit(
      ['traces', 'list', '--home', home, '--unlock-with', 'passphrase'],
      1,
      byPassphrase(),
    );
    assert.match(refused.stderr, /cannot unlock: the vault in .* has no passphrase key slot/);
    // Its first (only) slot is now the token's: no --unlock-with needed.
    const found = await runJson<SearchDoc>(
      ['traces', 'search', 'zebrafinch', '--home', home],
      0,
      byToken(PIN),
    );
    assert.deepEqual(
      found.doc.hits.map((h) => h.id),
      ['ts-1'],
    );
    const listed = await runJson<SlotsDoc>(['keys', 'slots', 'list', '--home', home], 0, byToken(PIN));
    assert.deepEqual(
      listed.doc.slots.map((s) => [s.kind, s.label]),
      [['pkcs11', 'pkcs11 ward-9/new-master']],
    );
  });
});

describe('keys rotate-master --kind recovery', () => {
  it('shows the 24 words once; afterwards they alone open the vault', async () => {
    const home = join(dir, 'to-recovery');
    await initVault(home);
    await expectExit(['import', '--home', home, '--file', traces], 0);
    const { doc } = await runJson<{ kind: string; recoveryKey: string[]; removedSlots: KeySlotInfo[] }>([
      'keys',
      'rotate-master',
      '--home',
      home,
      '--kind',
      'recovery',
    ]);
    assert.equal(doc.kind, 'recovery');
    assert.equal(doc.recoveryKey.length, 24);
    assert.deepEqual(
      doc.removedSlots.map((s) => s.kind),
      ['passphrase'],
    );
    const refused = await expectExit(['traces', 'list', '--home', home], 1);
    assert.match(refused.stderr, /has no passphrase key slot/);
    const withWords = {
      VAULT_MANAGER_PASSPHRASE: undefined,
      VAULT_MANAGER_RECOVERY_KEY: doc.recoveryKey.join(' '),
    };
    await expectExit(['traces', 'get', 'ts-2', '--home', home], 0, { env: withWords });
  });
});

describe('a keychain key slot added and removed', () => {
  const KEYRING_PASSWORD = 'keyring password of the slot test user';
  const user = throwawayUser();
  const home = join(dir, 'keychain-slot');
  const passphrase = { VAULT_MANAGER_PASSPHRASE: TEST_PASSPHRASE };
  const cli = (args: string[], keyring: string | null = KEYRING_PASSWORD) =>
    runAsDesktopUser(user, [...args, '--home', home], keyring, passphrase);
  const entryPresent = async (entry: { service: string; account: string }): Promise<boolean> => {
    const looked = await runInDesktopSession(
      user,
      ENTRY_CHILD,
      [entry.service, entry.account],
      KEYRING_PASSWORD,
    );
    assert.equal(looked.code, 0, looked.stderr);
    return (JSON.parse(looked.stdout) as { present: boolean }).present;
  };
  /** Adds a keychain slot and returns its id and entry, read from the vault file. */
  const addKeychainSlot = async () => {
    const added = await cli(['keys', 'slots', 'add', '--kind', 'keychain', '--json']);
    assert.equal(added.code, 0, added.stderr);
    const { id, kind } = JSON.parse(added.stdout) as { id: number; kind: string };
    assert.equal(kind, 'keychain');
    const stored = readStoredSlot(home, id);
    assert.ok(stored, 'the slot is in the vault file');
    return { id, entry: { service: String(stored.params.service), account: String(stored.params.account) } };
  };

  it('deletes the keychain entry when the slot is removed', async () => {
    await initVault(home);
    const { id, entry } = await addKeychainSlot();
    assert.equal(await entryPresent(entry), true, 'the entry exists while the slot does');
    const opened = await cli(['traces', 'list', '--unlock-with', 'keychain']);
    assert.equal(opened.code, 0, opened.stderr);

    const removed = await cli(['keys', 'slots', 'remove', String(id), '--json']);
    assert.equal(removed.code, 0, removed.stderr);
    const doc = JSON.parse(removed.stdout) as { removed: number; keychainEntry: { status: string } };
    assert.deepEqual(doc, { removed: id, keychainEntry: { ...entry, status: 'deleted' } });
    assert.equal(await entryPresent(entry), false, 'the entry is gone');
    const refused = await cli(['traces', 'list', '--unlock-with', 'keychain']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /has no keychain key slot/);
  });

  it('removes the slot but names the entry it kept, exit 1, when the keychain is out of reach', async () => {
    const { id, entry } = await addKeychainSlot();
    // No D-Bus session: the passphrase unlocks, the keychain cannot be reached.
    const removed = await cli(['keys', 'slots', 'remove', String(id)], null);
    assert.equal(removed.code, 1, removed.stderr);
    assert.match(removed.stdout, new RegExp(`Removed key slot ${id}\\.`));
    assert.ok(removed.stderr.includes(`account "${entry.account}") could not be deleted`), removed.stderr);
    assert.equal(readStoredSlot(home, id), undefined, 'the slot is removed all the same');
    assert.equal(await entryPresent(entry), true, 'the entry was kept, as the warning says');
  });
});
