import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ErrorCode, VaultError } from '../../common/errors.js';
import type { SqliteDatabase } from '../../native/sqlite.js';
import { iterateAuditRows, isoTime, type AuditQuery } from './audit-query.js';
import type { RawAuditRow } from './audit-row.js';

export type AuditExportFormat = 'jsonl' | 'csv';

export interface AuditExportOptions {
  /** Replace an existing file; without it, an existing file is an error and is left as it was. */
  overwrite?: boolean;
  /** Rows to export; all of them by default. */
  query?: AuditQuery;
  /**
   * Runs once the file is complete and durable, before it appears under its name; a throw abandons it.
   * The gate records the export's audit row here, so no export exists that the log does not show.
   */
  beforePublish?: (report: AuditExportReport) => void;
}

export interface AuditExportReport {
  rows: number;
  bytes: number;
}

/**
 * Columns of both formats. With prev_hash and hash an outside verifier can re-check every row without
 * this program: hash = SHA-256(prev_hash ‖ UTF-8(JSON.stringify([at_ms, actor, action, operation, target,
 * result, origin, details, macs, break_glass, session_id]))), where details is the JSON text as stored
 * (the `details` column of the CSV; in JSON Lines, JSON.stringify of the `details` object, or `details_text`
 * when present) and macs is the space-separated string (the `macs` list joined with spaces).
 */
const CSV_COLUMNS = [
  'seq',
  'at',
  'at_ms',
  'actor',
  'action',
  'operation',
  'target',
  'result',
  'origin',
  'details',
  'macs',
  'break_glass',
  'session_id',
  'prev_hash',
  'hash',
] as const;

/** Bytes gathered before each write: few system calls, bounded memory. */
const WRITE_CHUNK = 1 << 20;

/**
 * Writes the audit rows matching `options.query` to `file` as JSON Lines or CSV (RFC 4180). The file
 * appears under its name only once complete and on disk: written beside it with owner-only permissions,
 * fsynced, then moved into place (and the directory fsynced). Without `overwrite`, an existing file is
 * refused, including one created while the export ran.
 */
export function exportAudit(
  db: SqliteDatabase,
  format: AuditExportFormat,
  file: string,
  options: AuditExportOptions = {},
): AuditExportReport {
  if (format !== 'jsonl' && format !== 'csv') {
    throw new VaultError(ErrorCode.BAD_INPUT, `unknown audit export format; choose jsonl or csv`);
  }
  if (!options.overwrite && existsSync(file)) {
    throw new VaultError(ErrorCode.BAD_INPUT, `${file} already exists; choose another file or overwrite it`);
  }
  const directory = dirname(file);
  const partial = join(directory, `.${basename(file)}.${randomBytes(6).toString('hex')}.partial`);
  let fd: number;
  try {
    fd = openSync(partial, 'wx', 0o600);
  } catch (error) {
    throw new VaultError(ErrorCode.BAD_INPUT, `cannot write ${file}: ${errorCode(error)}`, { cause: error });
  }
  const report: AuditExportReport = { rows: 0, bytes: 0 };
  let open = true;
  try {
    const pending: string[] = [];
    let pendingLength = 0;
    const flush = () => {
      const chunk = Buffer.from(pending.join(''), 'utf8');
      writeSync(fd, chunk);
      report.bytes += chunk.length;
      pending.length = 0;
      pendingLength = 0;
    };
    const write = (text: string) => {
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= WRITE_CHUNK) flush();
    };
    if (format === 'csv') write(`${CSV_COLUMNS.join(',')}\r\n`);
    const line = format === 'csv' ? csvLine : jsonLine;
    for (const row of iterateAuditRows(db, options.query)) {
      write(line(row));
      report.rows += 1;
    }
    flush();
    fsyncSync(fd);
    closeSync(fd);
    open = false;
    options.beforePublish?.(report);
    publish(partial, file, options.overwrite === true);
    syncDirectory(directory);
    return report;
  } catch (error) {
    if (open) closeSync(fd);
    rmSync(partial, { force: true });
    // File system failures become STORAGE; anything else (a refusal from beforePublish) passes as it is.
    if ((error as NodeJS.ErrnoException).syscall === undefined) throw error;
    throw new VaultError(ErrorCode.STORAGE, `cannot write ${file}: ${errorCode(error)}`, { cause: error });
  }
}

/** rename replaces; link refuses an existing name, so without overwrite a file that appeared meanwhile wins. */
function publish(partial: string, file: string, overwrite: boolean): void {
  if (overwrite) {
    renameSync(partial, file);
    return;
  }
  try {
    linkSync(partial, file);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new VaultError(
        ErrorCode.BAD_INPUT,
        `${file} already exists; choose another file or overwrite it`,
      );
    }
    throw error;
  }
  rmSync(partial);
}

/** The new directory entry survives a power loss only once the directory itself is synced (POSIX). */
function syncDirectory(directory: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(directory, 'r');
    fsyncSync(fd);
  } catch {
    // Windows cannot open or fsync a directory; there the rename is as durable as NTFS makes it.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function jsonLine(row: Readonly<RawAuditRow>): string {
  const [seq, at, actor, action, operation, target, result, origin, details, macs, breakGlass, sessionId] =
    row;
  const parsed = parseObject(details);
  const record: Record<string, unknown> = {
    seq,
    at: isoTime(at),
    at_ms: at,
    actor,
    action,
    operation,
    target,
    result,
    origin,
    details: parsed ?? {},
    macs: macs === '' ? [] : macs.split(' '),
    break_glass: breakGlass,
    session_id: sessionId,
    prev_hash: row[12].toString('hex'),
    hash: row[13].toString('hex'),
  };
  // Rows written here round-trip exactly; for one that does not (edited by hand), give the exact text so
  // a re-check hashes what is stored.
  if (parsed === undefined || JSON.stringify(parsed) !== details) record.details_text = details;
  return `${JSON.stringify(record)}\n`;
}

function csvLine(row: Readonly<RawAuditRow>): string {
  const [seq, at, actor, action, operation, target, result, origin, details, macs, breakGlass, sessionId] =
    row;
  const fields = [
    String(seq),
    isoTime(at),
    String(at),
    actor,
    action,
    operation,
    target,
    result,
    origin,
    details,
    macs,
    breakGlass === null ? '' : String(breakGlass),
    sessionId,
    row[12].toString('hex'),
    row[13].toString('hex'),
  ];
  return `${fields.map(csvField).join(',')}\r\n`;
}

/** RFC 4180 §2: a field holding a comma, a double quote, CR or LF is quoted, its quotes doubled. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

function parseObject(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function errorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? 'error';
}
