import { createHmac } from 'node:crypto';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import { openStorage } from '../../../core/vault/storage.js';
import type { SqliteDatabase } from '../../../native/sqlite.js';
import { tempDir } from '../../support/temp.js';

/** A vault database migrated to the latest schema, in a temp directory, closed when the file's tests end. */
export function accessDatabase(): SqliteDatabase {
  const db = openStorage(join(tempDir('vault-access-'), 'vault.db'));
  after(() => db.close());
  return db;
}

/** A key slot with dummy wrapped bytes, for ownership tests. */
export function addSlot(db: SqliteDatabase, label = 'passphrase'): number {
  const result = db
    .prepare(
      `INSERT INTO key_slots (kind, label, params, wrapped_root, created_at) VALUES ('passphrase', ?, '{}', ?, 0)`,
    )
    .run(label, new Uint8Array(40));
  return Number(result.lastInsertRowid);
}

/** Stand-ins for Keyring.identityRef: keyed HMACs under a fixed test key. */
export function testRef(kind: 'user' | 'subject', value: string): Uint8Array {
  return new Uint8Array(createHmac('sha256', 'test identity key').update(`${kind}\0${value}`).digest());
}

/** Asserts that `fn` throws a VaultError with `code` and a message matching `pattern`. */
export function rejects(fn: () => unknown, code: string, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isVaultError(error), `expected a VaultError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.match(error.message, pattern);
    return true;
  });
}
