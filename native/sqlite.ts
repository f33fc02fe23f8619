/**
 * The one door to better-sqlite3. Every connection is opened here so that the durability pragmas of
 * design.md §4 are set on every open, not remembered by callers.
 */
import Database from 'better-sqlite3';

export type SqliteDatabase = Database.Database;
export type SqliteStatement<P extends unknown[] = unknown[], R = unknown> = Database.Statement<P, R>;

export interface OpenOptions {
  readonly?: boolean;
  /** Milliseconds to wait for another connection's write lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
}

/** A failure reported by SQLite, with its extended result code (SQLITE_CORRUPT, SQLITE_FULL, …). */
export class SqliteFailure extends Error {
  override readonly name = 'SqliteFailure';
  constructor(
    readonly sqliteCode: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function openDatabase(file: string, options: OpenOptions = {}): SqliteDatabase {
  let db: SqliteDatabase;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.readonly ?? false,
    });
  } catch (error) {
    throw asSqliteFailure(error, `cannot open database ${file}`);
  }
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
    if (!options.readonly) {
      db.pragma('journal_mode = WAL');
    }
    // better-sqlite3 builds SQLite with WAL + synchronous=NORMAL, which can lose the last commits on power
    // loss. A write is acknowledged only after it is durable, so FULL is set on every open.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    // Freed pages (erased keys and traces) are zeroed, not left for someone reading the disk (design.md §4).
    db.pragma('secure_delete = ON');
    return db;
  } catch (error) {
    db.close();
    throw asSqliteFailure(error, `cannot configure database ${file}`);
  }
}

/** Wraps anything better-sqlite3 throws so callers need not import it to tell its errors apart. */
export function asSqliteFailure(error: unknown, context: string): SqliteFailure {
  if (error instanceof SqliteFailure) return error;
  if (error instanceof Database.SqliteError) {
    return new SqliteFailure(error.code, `${context}: ${error.message}`, { cause: error });
  }
  const message = error instanceof Error ? error.message : String(error);
  return new SqliteFailure('UNKNOWN', `${context}: ${message}`, { cause: error });
}
