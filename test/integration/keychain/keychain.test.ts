/**
 * The OS keychain key slot against a real gnome-keyring: each child process runs in its own D-Bus
 * session (dbus-run-session) with the keyring daemon unlocked, as a throwaway user (its own HOME and XDG
 * directories), and reports JSON; these tests assert what it saw.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isVaultError } from '../../../common/errors.js';
import { KeychainKeyProvider } from '../../../core/keys/keychain-provider.js';
import { KeychainUnavailableError, OsKeychain } from '../../../native/keytar.js';
import {
  runInDesktopSession,
  throwawayUser as throwawayDesktopUser,
  type DesktopUser,
} from '../../support/desktop-session.js';
import { TRACE_CONTENT } from './fixtures/keychain-trace.js';

const CHILD = fileURLToPath(new URL('./fixtures/keychain-child.js', import.meta.url));
const KEYRING_PASSWORD = 'keyring unlock password for tests';

/** Starts gnome-keyring's secret service unlocked in the session, then becomes the command in "$@". */

interface ErrorReport {
  name: string;
  code: string | null;
  message: string;
}
interface ChildReport {
  ok: boolean;
  error?: ErrorReport;
  content?: string;
  keychainReads?: number;
  account?: string;
  entry?: string | null;
  rootKey?: string;
  deleted?: boolean;
  deletedAgain?: boolean;
  openError?: ErrorReport | null;
}

function throwawayUser(): DesktopUser & { vaultHome: string } {
  const user = throwawayDesktopUser('keychain-user-');
  return { ...user, vaultHome: join(dirname(user.home), 'vault') };
}

/** Runs the fixture in a D-Bus session unlocked with `keyringPassword`, or with no session at all (null). */
function runChild(
  mode: 'create' | 'open' | 'delete',
  user: DesktopUser & { vaultHome: string },
  keyringPassword: string | null,
): Promise<ChildReport> {
  return runInDesktopSession(user, CHILD, [mode, user.vaultHome], keyringPassword).then(
    ({ code, stdout, stderr }) => {
      const report = stdout.trim().split('\n').at(-1) ?? '';
      try {
        assert.equal(code, 0, `the ${mode} child exited ${code}`);
        return JSON.parse(report) as ChildReport;
      } catch (error) {
        throw new Error(`${(error as Error).message}\nstdout: ${stdout}\nstderr: ${stderr}`);
      }
    },
  );
}

/** Every file under `dir`, concatenated: what someone with the disk can read. */
function bytesUnder(dir: string): Buffer {
  const parts: Buffer[] = [];
  for (const name of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, name);
    if (statSync(path).isFile()) parts.push(readFileSync(path));
  }
  return Buffer.concat(parts);
}

function ok(report: ChildReport): asserts report is ChildReport & { ok: true } {
  assert.equal(report.ok, true, `the child failed: ${JSON.stringify(report.error)}`);
}

describe('OS keychain key slot (gnome-keyring in a D-Bus session)', () => {
  const user = throwawayUser();
  let created: ChildReport;

  before(async () => {
    created = await runChild('create', user, KEYRING_PASSWORD);
  });

  it('creates a vault in the keychain and reopens it with a new provider, one keychain read', () => {
    ok(created);
    assert.equal(created.content, TRACE_CONTENT, 'the trace comes back whole');
    assert.equal(created.keychainReads, 1, 'an unlock costs exactly one keychain read');
    assert.match(created.account!, /^[0-9a-f-]{36}\/[0-9a-f]{32}$/, 'the entry is named vault id / slot tag');
  });

  it('opens the vault again in a later session of the same user', async () => {
    const report = await runChild('open', user, KEYRING_PASSWORD);
    ok(report);
    assert.equal(report.content, TRACE_CONTENT);
    assert.equal(report.keychainReads, 1);
  });

  it('stores a slot secret in the keychain, not the root key, and neither reaches the vault files', () => {
    ok(created);
    const entry = created.entry!;
    assert.match(entry, /^[A-Za-z0-9+/]{43}=$/, 'the entry is a 32-byte secret in base64');
    const secret = Buffer.from(entry, 'base64');
    const rootKey = Buffer.from(created.rootKey!, 'hex');
    assert.equal(rootKey.length, 32);
    assert.notDeepEqual(secret, rootKey, 'the keychain must not hold the root key');

    const vaultFiles = bytesUnder(user.vaultHome);
    assert.equal(vaultFiles.includes(entry), false, 'the keychain entry (base64) is in a vault file');
    assert.equal(vaultFiles.includes(secret), false, 'the slot secret is in a vault file');
    assert.equal(vaultFiles.includes(rootKey), false, 'the root key is in a vault file');
    const userFiles = bytesUnder(user.home);
    assert.equal(userFiles.includes(rootKey), false, "the root key is in the user's keyring files");
    assert.equal(
      userFiles.includes(entry),
      false,
      "the slot secret is in the clear in the user's keyring files",
    );
  });

  it('says WRONG_SECRET, the entry is missing, when the keyring was unlocked with a wrong password', async () => {
    const report = await runChild('open', user, 'not the keyring password');
    assert.equal(report.ok, false, 'a locked keyring must not open the vault');
    assert.equal(report.error?.code, 'WRONG_SECRET', JSON.stringify(report.error));
    assert.match(report.error.message, /keychain entry .* is missing: the keyring is locked/);
  });

  it('says UNAVAILABLE, not a crash, without a D-Bus session', async () => {
    const report = await runChild('open', user, null);
    assert.equal(report.ok, false, 'no keychain must not open the vault');
    assert.equal(report.error?.code, 'UNAVAILABLE', JSON.stringify(report.error));
    assert.match(report.error.message, /^the OS keychain is not available: could not read an entry: \S/);

    const fresh = await runChild('create', throwawayUser(), null);
    assert.equal(fresh.error?.code, 'UNAVAILABLE', JSON.stringify(fresh));
    assert.match(fresh.error.message, /^the OS keychain is not available: could not store an entry/);
  });

  it("deletes the slot's entry, after which the slot says WRONG_SECRET, the entry is missing", async () => {
    const other = throwawayUser();
    ok(await runChild('create', other, KEYRING_PASSWORD));
    const report = await runChild('delete', other, KEYRING_PASSWORD);
    ok(report);
    assert.equal(report.deleted, true, 'the entry existed and was deleted');
    assert.equal(report.deletedAgain, false, 'a second delete finds nothing');
    assert.equal(report.openError?.code, 'WRONG_SECRET', JSON.stringify(report.openError));
    assert.match(report.openError.message, /is missing/);
  });
});

describe('keytar facade without keytar', () => {
  it('says the keychain is not available because the module is not installed', async () => {
    const keychain = new OsKeychain({ moduleName: 'keytar-that-is-not-installed' });
    await assert.rejects(keychain.getPassword('vault-manager', 'probe'), (error: unknown) => {
      assert.ok(
        error instanceof KeychainUnavailableError,
        `expected KeychainUnavailableError, got ${String(error)}`,
      );
      assert.equal(
        error.message,
        'the OS keychain is not available: keytar-that-is-not-installed is not installed (it needs libsecret-1-dev to build)',
      );
      return true;
    });
  });
});

describe('keychain slot parameters', () => {
  // This process has no D-Bus session: reaching the keychain would give KeychainUnavailableError, so
  // INTEGRITY shows the slot was refused before any keychain call.
  const provider = new KeychainKeyProvider(new OsKeychain());
  const vaultId = '0b7e5c1e-0000-4000-8000-000000000001';
  const slot = (params: Record<string, unknown>) => ({
    id: 7,
    kind: 'keychain',
    label: 'OS keychain',
    params: { service: 'vault-manager', nonce: '00'.repeat(12), ...params },
    wrappedRoot: new Uint8Array(48),
  });

  it("refuses a slot naming another vault's entry with INTEGRITY, before touching the keychain", async () => {
    const foreign = slot({ account: `0b7e5c1e-0000-4000-8000-000000000002/${'ab'.repeat(16)}` });
    await assert.rejects(provider.recoverRootKey(foreign, { vaultId }), (e: unknown) =>
      isVaultError(e, 'INTEGRITY'),
    );
    await assert.rejects(provider.deleteSecret(foreign, { vaultId }), (e: unknown) =>
      isVaultError(e, 'INTEGRITY'),
    );
  });

  it("refuses a slot naming another program's keychain service with INTEGRITY", async () => {
    const otherService = slot({ service: 'some-other-app', account: `${vaultId}/${'ab'.repeat(16)}` });
    await assert.rejects(provider.deleteSecret(otherService, { vaultId }), (e: unknown) =>
      isVaultError(e, 'INTEGRITY'),
    );
  });
});
