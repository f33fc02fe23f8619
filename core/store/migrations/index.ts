import type { SqliteDatabase } from '../../../native/sqlite.js';
import * as m0010 from './0010-initial-schema.js';
import * as m0020 from './0020-access-and-audit.js';

export interface Migration {
  /** The user_version the database has after this migration. Numbered in tens so a fix fits between. */
  version: number;
  name: string;
  up(db: SqliteDatabase): void;
}

/** Every migration, in the order it runs. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 10, name: 'initial schema', up: m0010.up },
  { version: 20, name: 'access and audit', up: m0020.up },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;
