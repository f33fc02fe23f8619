import { hash } from 'node:crypto';
import { AUDIT_ACTIONS, AUDIT_RESULTS, type AuditAction, type AuditResult } from '../../common/audit.js';
import { ErrorCode, VaultError } from '../../common/errors.js';

/**
 * One audit row and its place in the hash chain (design.md §5). Each row stores `prev_hash`, the hash of
 * the row before it (32 zero bytes for the first), and `hash = SHA-256(prev_hash ‖ encoding)`, where the
 * encoding is UTF-8 of the JSON array
 *
 *   [at, actor, action, operation, target, result, origin, details, macs, break_glass, session_id]
 *
 * with `details` and `macs` exactly as stored (JSON text; space-separated hex). Hashing the stored text, not
 * a re-serialisation of it, lets a verifier (ours, or an outside one reading an export) recompute the hash
 * from the columns alone.
 *
 * `seq` is left out on purpose: the prev_hash links already fix the order, and a hash that does not cover
 * the position lets verification tell a renumbered or moved row from an edited one.
 */
export interface AuditEntry {
  /** Milliseconds since the epoch. */
  at: number;
  actor: string;
  action: AuditAction;
  operation: string;
  target: string;
  result: AuditResult;
  origin: string;
  /** Counts, bytes, reasons: never trace content or a sensitive value in clear (those go in `macs`). */
  details: Record<string, unknown>;
  /** Lower-case hex HMACs of the sensitive values the operation named (see audit-macs.ts). */
  macs: readonly string[];
  breakGlass: number | null;
  sessionId: string;
}

export const HASH_BYTES = 32;

/** prev_hash of the first row. */
export const GENESIS_HASH: Readonly<Uint8Array> = new Uint8Array(HASH_BYTES);

/** The hashed columns in encoding order: what the table stores between `seq` and `prev_hash`. */
export type HashedColumns = [
  at: number,
  actor: string,
  action: string,
  operation: string,
  target: string,
  result: string,
  origin: string,
  details: string,
  macs: string,
  breakGlass: number | null,
  sessionId: string,
];

/** Every column, in the order raw reads (`.raw()`) use: seq, the hashed columns, prev_hash, hash. */
export const RAW_COLUMNS =
  'seq, at, actor, action, operation, target, result, origin, details, macs, break_glass, session_id, prev_hash, hash';

export type RawAuditRow = [seq: number, ...HashedColumns, prevHash: Buffer, hash: Buffer];

/** The hash a raw row should have, given its own prev_hash and columns. */
export function recomputeHash(row: Readonly<RawAuditRow>): Buffer {
  return rowHash(row[12], encodeColumns(row.slice(1, 12) as HashedColumns));
}

const HEX = /^[0-9a-f]+$/;
// A lone surrogate cannot be stored as UTF-8: SQLite would keep U+FFFD, and the stored row would no longer
// match the hash computed here. In a `u` regex \p{Cs} matches only unpaired surrogates.
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Checks an entry and turns it into the column values to store and hash. Throws BAD_INPUT for anything
 * the table could not hold exactly (the message names the field, never its value).
 */
export function auditColumns(entry: AuditEntry): HashedColumns {
  if (!Number.isSafeInteger(entry.at)) bad('at must be a whole number of milliseconds');
  if (!(AUDIT_ACTIONS as readonly string[]).includes(entry.action)) bad('action is not a known audit action');
  if (!(AUDIT_RESULTS as readonly string[]).includes(entry.result)) bad('result is not a known audit result');
  if (entry.breakGlass !== null && !Number.isSafeInteger(entry.breakGlass)) {
    bad('breakGlass must be a grant id or null');
  }
  for (const [field, value] of [
    ['actor', entry.actor],
    ['operation', entry.operation],
    ['target', entry.target],
    ['origin', entry.origin],
    ['sessionId', entry.sessionId],
  ] as const) {
    if (typeof value !== 'string' || LONE_SURROGATE.test(value)) {
      bad(`${field} must be a well-formed string`);
    }
  }
  for (const mac of entry.macs) {
    // Space separates macs in the stored column, so each must be plain hex.
    if (!HEX.test(mac)) bad('each mac must be lower-case hex');
  }
  return [
    entry.at,
    entry.actor,
    entry.action,
    entry.operation,
    entry.target,
    entry.result,
    entry.origin,
    canonicalJson(entry.details),
    entry.macs.join(' '),
    entry.breakGlass,
    entry.sessionId,
  ];
}

/**
 * `details` as JSON with object keys sorted at every level, so the same details always give the same
 * text. (JavaScript puts integer-like keys first whatever the insertion order; that is deterministic too.)
 */
export function canonicalJson(details: Record<string, unknown>): string {
  if (details === null || typeof details !== 'object' || Array.isArray(details)) {
    bad('details must be an object');
  }
  try {
    // Most details are flat (counts, bytes, a list of ids): a sorted shallow copy serialises them about
    // twice as fast as a replacer called on every value.
    return isFlat(details) ? JSON.stringify(sortedCopy(details)) : JSON.stringify(details, sortKeys);
  } catch (error) {
    // BigInt and cycles: say what, not which value.
    throw new VaultError(ErrorCode.BAD_INPUT, 'audit details must be plain JSON data', { cause: error });
  }
}

function sortKeys(_key: string, value: unknown): unknown {
  return value === null || typeof value !== 'object' || Array.isArray(value)
    ? value
    : sortedCopy(value as Record<string, unknown>);
}

function sortedCopy(source: Record<string, unknown>): Record<string, unknown> {
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(source).sort()) sorted[key] = source[key];
  return sorted;
}

/** No value is an object other than an array of primitives (so nothing below the top needs sorting). */
function isFlat(details: Record<string, unknown>): boolean {
  for (const key of Object.keys(details)) {
    const value = details[key];
    if (value === null || typeof value !== 'object') continue;
    if (!Array.isArray(value)) return false;
    for (const item of value as unknown[]) if (item !== null && typeof item === 'object') return false;
  }
  return true;
}

/** The canonical encoding of a row's hashed columns, as a string (hashed as UTF-8). */
export function encodeColumns(columns: Readonly<HashedColumns>): string {
  return JSON.stringify(columns);
}

// One scratch buffer for prev_hash ‖ encoding, so hashing a row allocates only its digest. Grown on demand.
let scratch = Buffer.allocUnsafe(4096);

/** SHA-256(prevHash ‖ UTF-8(encoded)). */
export function rowHash(prevHash: Uint8Array, encoded: string): Buffer {
  // prevHash is 32 bytes in every row written here; a tampered one of another length is hashed as it is.
  const offset = prevHash.length;
  // A UTF-16 code unit takes at most 3 bytes of UTF-8: a bound that spares measuring the string first.
  const bound = offset + 3 * encoded.length;
  if (bound > scratch.length) scratch = Buffer.allocUnsafe(Math.max(bound, 2 * scratch.length));
  scratch.set(prevHash, 0);
  const length = offset + scratch.write(encoded, offset, 'utf8');
  // crypto.hash is the one-shot form: about a fifth cheaper per row than createHash().update().digest().
  return hash('sha256', scratch.subarray(0, length), 'buffer');
}

function bad(message: string): never {
  throw new VaultError(ErrorCode.BAD_INPUT, `audit entry: ${message}`);
}
