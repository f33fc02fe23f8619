/**
 * People's identifiers (user id, subject id: a patient id is PHI) are stored as keyed HMACs that serve
 * equality filters (design.md §4). Filters must work, and the raw strings must not reach the traces table.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import type { TraceInput } from '../../../common/trace.js';
import { randomBytes } from '../../../core/crypto/bytes.js';
import { KeyTables } from '../../../core/keys/key-tables.js';
import { Keyring } from '../../../core/keys/keyring.js';
import { PassphraseKeyProvider } from '../../../core/keys/passphrase-provider.js';
import { migrate } from '../../../core/store/migrate.js';
import { databasePath } from '../../../core/vault/home.js';
import { Vault } from '../../../core/vault/vault.js';
import { openDatabase } from '../../../native/sqlite.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST, tempDir } from '../../support/temp.js';

const USERS = ['dr-alvarez@clinic.example', 'nurse-bo@clinic.example'];
const SUBJECTS = ['MRN-00417', 'MRN-00999'];

function trace(n: number): TraceInput {
  return {
    id: `ref-${n}`,
    agent_id: 'intake',
    user_id: USERS[n % 2]!,
    ...(n % 3 === 0 ? {} : { subject_id: SUBJECTS[n % 3 === 1 ? 0 : 1]! }),
    started_at: new Date(Date.UTC(2026, 0, 1, 0, n)).toISOString(),
    messages: [{ role: 'user', content: `visit ${n}` }],
  };
}

describe('identity refs', () => {
  it('filters by user and subject without storing either in the traces table', async () => {
    const home = join(tempDir(), 'home');
    const vault = await Vault.create(home, new PassphraseKeyProvider(TEST_PASSPHRASE, TEST_SCRYPT_COST));
    const traces = Array.from({ length: 12 }, (_, n) => trace(n));
    vault.put(traces);
    const ids = (pick: (t: TraceInput) => boolean) =>
      traces
        .filter(pick)
        .map((t) => t.id)
        .sort();
    const listed = (filter: object) =>
      vault
        .list(filter, { limit: 100, offset: 0 })
        .map((s) => s.id)
        .sort();
    for (const userId of USERS) {
      assert.deepEqual(
        listed({ userId }),
        ids((t) => t.user_id === userId),
        `list by user ${userId}`,
      );
      assert.equal(vault.count({ userId }), 6);
    }
    for (const subjectId of SUBJECTS) {
      assert.deepEqual(
        listed({ subjectId }),
        ids((t) => t.subject_id === subjectId),
        `by ${subjectId}`,
      );
    }
    assert.deepEqual(
      listed({ userId: USERS[0], subjectId: SUBJECTS[0] }),
      ids((t) => t.user_id === USERS[0] && t.subject_id === SUBJECTS[0]),
    );
    assert.deepEqual(listed({ userId: 'nobody' }), []);
    vault.close();

    const db = openDatabase(databasePath(home), { readonly: true });
    const cols = (db.prepare('PRAGMA table_info(traces)').all() as { name: string }[]).map((c) => c.name);
    for (const raw of [...USERS, ...SUBJECTS]) {
      for (const col of cols) {
        const n = db
          .prepare(`SELECT count(*) FROM traces WHERE instr(CAST(${col} AS BLOB), CAST(? AS BLOB)) > 0`)
          .pluck()
          .get(raw) as number;
        assert.equal(n, 0, `${JSON.stringify(raw)} appears in traces.${col}`);
      }
    }
    const refs = db.prepare('SELECT DISTINCT user_ref FROM traces').pluck().all() as Buffer[];
    assert.equal(refs.length, 2, 'one ref per user: equal ids give equal refs');
    assert.ok(
      refs.every((r) => r.length === 32),
      'refs are 32-byte HMACs',
    );
    db.close();
  });
});

describe('keyring', () => {
  function keyring(): Keyring {
    const db = openDatabase(join(tempDir(), 'k.db'));
    migrate(db);
    return Keyring.create('vault-under-test', new KeyTables(db), randomBytes(32));
  }

  it('separates users from subjects with the same identifier', () => {
    const k = keyring();
    assert.notDeepEqual(k.identityRef('user', 'x-1'), k.identityRef('subject', 'x-1'));
    assert.deepEqual(k.identityRef('user', 'x-1'), k.identityRef('user', 'x-1'));
  });

  it('gives each word one 16-byte token in hex, the same every time', () => {
    const k = keyring();
    const token = k.termToken('aspirin');
    assert.match(token, /^[0-9a-f]{32}$/);
    assert.equal(k.termToken('aspirin'), token);
    assert.notEqual(k.termToken('aspirine'), token);
  });

  it('gives different tokens in different vaults', () => {
    assert.notEqual(keyring().termToken('aspirin'), keyring().termToken('aspirin'));
  });

  it('refuses to derive anything once locked', () => {
    const k = keyring();
    k.lock();
    assert.equal(k.isLocked, true);
    for (const call of [
      () => k.termToken('aspirin'),
      () => k.identityRef('user', 'a'),
      () => k.contentId(new Uint8Array(1)),
    ]) {
      assert.throws(call, (e: unknown) => isVaultError(e, 'LOCKED'));
    }
  });
});
