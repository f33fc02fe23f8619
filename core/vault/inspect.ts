import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../native/sqlite.js';
import type { StoredSlot } from '../keys/key-provider.js';
import { KeyTables } from '../keys/key-tables.js';
import { schemaVersion } from '../store/migrate.js';
import { LATEST_SCHEMA_VERSION } from '../store/migrations/index.js';
import { databasePath } from './home.js';
import { VaultMeta } from './meta.js';

/** How many problems `PRAGMA quick_check` may list before it stops; enough to tell, short enough to print. */
const QUICK_CHECK_LIMIT = 20;

/**
 * A key slot as health reports it: what kind of master protects it, never its secret parameters or wrapped
 * key. A token slot also names its key (`uri`), which is not secret and is how a token is found to unlock.
 */
export interface KeySlotSummary {
  kind: string;
  label: string;
  /** The PKCS#11 URI of the token key (pkcs11 slots only). */
  uri?: string;
  /** The user whom this slot authenticates (absent for a vault made before users existed). */
  user?: string;
}

/**
 * The state of a vault as seen without unlocking it. Nothing here is secret: no key, no trace content, no
 * identifier of a person; only what the plaintext columns and the file system already show.
 */
export interface HealthReport {
  home: string;
  database: string;
  /** True when the database file exists. */
  exists: boolean;
  vaultId: string | null;
  createdAt: string | null;
  /** The database's user_version; null when it could not be read. */
  schemaVersion: number | null;
  /** The newest schema this program writes. */
  latestSchemaVersion: number;
  /** `PRAGMA quick_check` rows: ["ok"] when SQLite found nothing wrong. */
  quickCheck: string[];
  traceCount: number | null;
  maxTraceBytes: number | null;
  databaseBytes: number | null;
  walBytes: number | null;
  keySlots: KeySlotSummary[];
  /** What is wrong, one line each; empty when healthy. */
  problems: string[];
  /** True when a vault exists, SQLite finds it sound, and this program can open its schema. */
  ok: boolean;
}

/**
 * Reads a vault's health without its keys: the database is opened read-only (no migration, no write), so
 * this is safe to run beside a process that has the vault open, and needs no passphrase.
 */
export function inspectVault(home: string): HealthReport {
  const absoluteHome = resolve(home);
  const database = databasePath(absoluteHome);
  const report: HealthReport = {
    home: absoluteHome,
    database,
    exists: existsSync(database),
    vaultId: null,
    createdAt: null,
    schemaVersion: null,
    latestSchemaVersion: LATEST_SCHEMA_VERSION,
    quickCheck: [],
    traceCount: null,
    maxTraceBytes: null,
    databaseBytes: fileSize(database),
    walBytes: fileSize(`${database}-wal`),
    keySlots: [],
    problems: [],
    ok: false,
  };
  if (!report.exists) {
    report.problems.push(`no vault in ${absoluteHome}`);
    return report;
  }

  let db: SqliteDatabase;
  try {
    db = openDatabase(database, { readonly: true });
  } catch (error) {
    report.problems.push(`cannot open the database: ${messageOf(error)}`);
    return report;
  }
  try {
    readInto(db, report);
  } finally {
    db.close();
  }
  report.ok = report.problems.length === 0;
  return report;
}

function readInto(db: SqliteDatabase, report: HealthReport): void {
  try {
    report.quickCheck = (db.pragma(`quick_check(${QUICK_CHECK_LIMIT})`) as { quick_check: string }[]).map(
      (row) => row.quick_check,
    );
  } catch (error) {
    report.problems.push(`quick_check failed: ${messageOf(error)}`);
    // A file SQLite cannot check is not worth reading further.
    return;
  }
  if (report.quickCheck.length !== 1 || report.quickCheck[0] !== 'ok') {
    report.problems.push(`quick_check found ${report.quickCheck.length} problem(s)`);
  }

  const version = schemaVersion(db);
  report.schemaVersion = version;
  if (version === 0) {
    report.problems.push('the database has no vault schema (it was never fully created)');
    return;
  }
  if (version > LATEST_SCHEMA_VERSION) {
    report.problems.push(
      `schema version ${version} is newer than this program supports (${LATEST_SCHEMA_VERSION})`,
    );
  }

  try {
    const meta = new VaultMeta(db);
    report.vaultId = meta.get('vault_id') ?? null;
    report.createdAt = meta.get('created_at') ?? null;
    const limit = meta.get('max_trace_bytes');
    report.maxTraceBytes = limit === undefined ? null : Number(limit);
    if (report.vaultId === null) report.problems.push('the vault was never fully created (no vault id)');
    report.traceCount = (db.prepare('SELECT count(*) AS n FROM traces').get() as { n: number }).n;
    report.keySlots = slotsOf(db);
    if (report.keySlots.length === 0) report.problems.push('the vault has no key slot');
  } catch (error) {
    report.problems.push(`cannot read the vault's tables: ${messageOf(error)}`);
  }
}

/**
 * The key slots in slot order, read without unlocking and without the whole-file check of `inspectVault`:
 * what the command line needs to choose a master before asking for a secret.
 */
export function readKeySlots(home: string): KeySlotSummary[] {
  const db = openDatabase(databasePath(resolve(home)), { readonly: true });
  try {
    return slotsOf(db);
  } finally {
    db.close();
  }
}

/**
 * One key slot as stored (parameters and wrapped root key, both written to be public), read without
 * unlocking. Removing a slot needs it: a keychain slot's entry lives outside the vault, and the row that
 * names it is gone once the slot is removed. Undefined when no slot has that id.
 */
export function readStoredSlot(home: string, id: number): StoredSlot | undefined {
  const db = openDatabase(databasePath(resolve(home)), { readonly: true });
  try {
    return new KeyTables(db).slots().find((slot) => slot.id === id);
  } finally {
    db.close();
  }
}

/** Kind and label, and a token slot's URI: salts, nonces and wrapped keys stay in the database. */
function slotsOf(db: SqliteDatabase): KeySlotSummary[] {
  // Read without migrating: a vault from before users has no owner column yet.
  const hasOwners = db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'users'").get();
  const rows = db
    .prepare(
      hasOwners
        ? 'SELECT s.kind, s.label, s.params, u.name AS user FROM key_slots s LEFT JOIN users u ON u.id = s.user_id ORDER BY s.id'
        : 'SELECT kind, label, params, NULL AS user FROM key_slots ORDER BY id',
    )
    .all() as { kind: string; label: string; params: string; user: string | null }[];
  return rows.map(({ kind, label, params, user }) => {
    const uri = kind === 'pkcs11' ? tokenUriOf(params) : undefined;
    return { kind, label, ...(uri === undefined ? {} : { uri }), ...(user === null ? {} : { user }) };
  });
}

function tokenUriOf(params: string): string | undefined {
  try {
    const parsed = JSON.parse(params) as { uri?: unknown };
    return typeof parsed.uri === 'string' ? parsed.uri : undefined;
  } catch {
    return undefined;
  }
}

function fileSize(file: string): number | null {
  try {
    return statSync(file).size;
  } catch {
    return null;
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
