import { ErrorCode, VaultError } from '../../common/errors.js';
import type { SqliteDatabase } from '../../native/sqlite.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from './migrations/index.js';

export function schemaVersion(db: SqliteDatabase): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings a database up to `target` (default: the latest). Each migration runs in its own transaction that
 * also bumps user_version, so a crash leaves the database at one version or the next, never between.
 */
export function migrate(
  db: SqliteDatabase,
  target = LATEST_SCHEMA_VERSION,
  migrations: readonly Migration[] = MIGRATIONS,
): number {
  const current = schemaVersion(db);
  if (current > LATEST_SCHEMA_VERSION) {
    throw new VaultError(
      ErrorCode.UNSUPPORTED_VERSION,
      `the vault's schema version ${current} is newer than this program supports (${LATEST_SCHEMA_VERSION}); upgrade Vault Manager`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current || migration.version > target) continue;
    db.transaction(() => {
      migration.up(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
  }
  return schemaVersion(db);
}
