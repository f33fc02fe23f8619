import { ErrorCode, VaultError } from '../../common/errors.js';
import { asSqliteFailure } from '../../native/sqlite.js';

/**
 * Any failure below the engine becomes a VaultError STORAGE that names the SQLite result code and what
 * was being done. SQLite's messages name tables and constraints, never values, so no content leaks.
 */
export function asStorageError(error: unknown, doing: string): unknown {
  if (error instanceof VaultError) return error;
  if (error instanceof Error && error.name === 'RangeError') return error;
  const failure = asSqliteFailure(error, doing);
  return new VaultError(ErrorCode.STORAGE, `${failure.message} (${failure.sqliteCode})`, { cause: error });
}
