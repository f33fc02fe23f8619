import {
  AUDIT_ACTIONS,
  AUDIT_RESULTS,
  type AuditAction,
  type AuditRecord,
  type AuditResult,
} from '../../common/audit.js';
import { ErrorCode, VaultError } from '../../common/errors.js';
import type { SqliteDatabase, SqliteStatement } from '../../native/sqlite.js';
import { RAW_COLUMNS, type RawAuditRow } from './audit-row.js';

/** What an auditor filters the log by. Every field narrows; none given means every row. */
export interface AuditQuery {
  actor?: string;
  /** Any of these actions. */
  actions?: readonly AuditAction[];
  /** Milliseconds since the epoch: from ≤ at < to. */
  from?: number;
  to?: number;
  result?: AuditResult;
  /** Rows that acted on this trace: its target, or a `traces` list (or `trace`) in their details. */
  trace?: string;
  /** Rows whose macs include this hex mac (audit-macs.ts): rows that named a sensitive value. */
  mac?: string;
  /** Rows to return, in seq order; queryAudit defaults to DEFAULT_AUDIT_LIMIT, iterateAudit to all. */
  limit?: number;
  offset?: number;
}

export const DEFAULT_AUDIT_LIMIT = 1000;

const HEX = /^[0-9a-f]+$/i;

/** The rows matching `q`, oldest first. Throws BAD_INPUT for a malformed query. */
export function queryAudit(db: SqliteDatabase, q: AuditQuery = {}): AuditRecord[] {
  const records: AuditRecord[] = [];
  for (const row of iterateAuditRows(db, { ...q, limit: q.limit ?? DEFAULT_AUDIT_LIMIT })) {
    records.push(toAuditRecord(row));
  }
  return records;
}

/** The rows matching `q` one at a time, for an export that should not hold the log in memory. */
export function* iterateAudit(db: SqliteDatabase, q: AuditQuery = {}): Generator<AuditRecord> {
  for (const row of iterateAuditRows(db, q)) yield toAuditRecord(row);
}

/** The rows that named the sensitive value whose mac this is. */
export function lookupMac(
  db: SqliteDatabase,
  mac: string,
  page: Pick<AuditQuery, 'limit' | 'offset'> = {},
): AuditRecord[] {
  return queryAudit(db, { ...page, mac });
}

/**
 * The raw rows (every column, prev_hash and hash included) matching `q`, for exports that an outside
 * verifier re-checks. While iterating, the connection runs no other statement (a better-sqlite3 rule).
 */
export function iterateAuditRows(db: SqliteDatabase, q: AuditQuery = {}): IterableIterator<RawAuditRow> {
  const { where, params } = whereClause(q);
  let sql = `SELECT ${RAW_COLUMNS} FROM audit_log${where} ORDER BY seq`;
  if (q.limit !== undefined || q.offset !== undefined) {
    sql += ' LIMIT ? OFFSET ?';
    // LIMIT -1 is SQLite's "no limit", for an offset alone.
    params.push(q.limit === undefined ? -1 : count('limit', q.limit, 1), count('offset', q.offset ?? 0, 0));
  }
  const statement = db.prepare(sql).raw(true) as unknown as SqliteStatement<unknown[], RawAuditRow>;
  return statement.iterate(...params);
}

/** A raw row as the contract's record: ISO time, parsed details, macs as a list. */
export function toAuditRecord(row: Readonly<RawAuditRow>): AuditRecord {
  return {
    seq: row[0],
    at: isoTime(row[1]),
    actor: row[2],
    action: row[3] as AuditAction,
    operation: row[4],
    target: row[5],
    result: row[6] as AuditResult,
    origin: row[7],
    details: parseDetails(row[8]),
    macs: row[9] === '' ? [] : row[9].split(' '),
    breakGlass: row[10],
    sessionId: row[11],
  };
}

/** ISO 8601, or a plain statement for a time no Date can hold (only an edited row has one). */
export function isoTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `invalid time ${ms}` : date.toISOString();
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      return value as Record<string, unknown>;
    }
  } catch {
    // fall through: only an edited row has details that are not a JSON object; verify says which.
  }
  return { unreadable: 'the stored details are not a JSON object' };
}

function whereClause(q: AuditQuery): { where: string; params: unknown[] } {
  const terms: string[] = [];
  const params: unknown[] = [];
  if (q.actor !== undefined) {
    terms.push('actor = ?');
    params.push(q.actor);
  }
  if (q.actions !== undefined) {
    if (q.actions.length === 0) throw bad('actions, when given, names at least one action');
    for (const action of q.actions) {
      if (!(AUDIT_ACTIONS as readonly string[]).includes(action)) {
        throw bad(`unknown action ${JSON.stringify(action)}; known: ${AUDIT_ACTIONS.join(', ')}`);
      }
    }
    terms.push(`action IN (${q.actions.map(() => '?').join(', ')})`);
    params.push(...q.actions);
  }
  if (q.from !== undefined) {
    terms.push('at >= ?');
    params.push(time('from', q.from));
  }
  if (q.to !== undefined) {
    terms.push('at < ?');
    params.push(time('to', q.to));
  }
  if (q.result !== undefined) {
    if (!(AUDIT_RESULTS as readonly string[]).includes(q.result)) {
      throw bad(`unknown result ${JSON.stringify(q.result)}; known: ${AUDIT_RESULTS.join(', ')}`);
    }
    terms.push('result = ?');
    params.push(q.result);
  }
  if (q.trace !== undefined) {
    // CASE, not AND: SQLite does not promise to skip json_each on details that are not JSON (an edited
    // row), and json_each throws on them.
    terms.push(
      `(target = ? OR CASE WHEN json_valid(details) THEN
         EXISTS (SELECT 1 FROM json_each(details, '$.traces') WHERE value = ?)
         OR json_extract(details, '$.trace') = ? ELSE 0 END)`,
    );
    params.push(q.trace, q.trace, q.trace);
  }
  if (q.mac !== undefined) {
    if (!HEX.test(q.mac)) throw bad('mac must be hex');
    // Whole words of the space-separated column: instr, not LIKE, so no character is a wildcard.
    terms.push("instr(' ' || macs || ' ', ?) > 0");
    params.push(` ${q.mac.toLowerCase()} `);
  }
  return { where: terms.length === 0 ? '' : ` WHERE ${terms.join(' AND ')}`, params };
}

function time(field: string, ms: number): number {
  if (!Number.isSafeInteger(ms)) throw bad(`${field} must be a whole number of milliseconds`);
  return ms;
}

function count(field: string, n: number, min: number): number {
  if (!Number.isSafeInteger(n) || n < min) throw bad(`${field} must be a whole number ≥ ${min}`);
  return n;
}

function bad(message: string): VaultError {
  return new VaultError(ErrorCode.BAD_INPUT, `audit query: ${message}`);
}
