import { ErrorCode, VaultError } from '../../common/errors.js';
import { openDatabase, SqliteFailure, type SqliteDatabase } from '../../native/sqlite.js';
import { migrate } from '../store/migrate.js';

/** Opens the vault's database with the engine's pragmas and brings its schema up to date. */
export function openStorage(file: string): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = openDatabase(file);
  } catch (error) {
    if (error instanceof SqliteFailure)
      throw new VaultError(ErrorCode.STORAGE, error.message, { cause: error });
    throw error;
  }
  try {
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}
