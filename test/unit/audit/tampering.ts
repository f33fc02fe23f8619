/**
 * What someone with write access to the database file can do to the audit log, as SQL on a connection
 * of the engine's (so a test can run it in a transaction, verify, and roll back).
 */
import {
  encodeColumns,
  GENESIS_HASH,
  RAW_COLUMNS,
  rowHash,
  type HashedColumns,
  type RawAuditRow,
} from '../../../core/audit/audit-row.js';
import type { SqliteDatabase } from '../../../native/sqlite.js';

/** Deletes row `seq`; with `renumber`, the rows after it move down one, leaving no gap. */
export function deleteRow(db: SqliteDatabase, seq: number, renumber: boolean): void {
  db.prepare('DELETE FROM audit_log WHERE seq = ?').run(seq);
  if (renumber) {
    // Through negative numbers: an UPDATE in place could collide with the primary key mid-way.
    db.prepare('UPDATE audit_log SET seq = -seq WHERE seq > ?').run(seq);
    db.exec('UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0');
  }
}

/** Inserts `row` (all but seq) at `seq`, moving that row and those after it up one. */
export function insertRow(db: SqliteDatabase, seq: number, row: Readonly<RawAuditRow>): void {
  db.prepare('UPDATE audit_log SET seq = -(seq + 1) WHERE seq >= ?').run(seq);
  db.exec('UPDATE audit_log SET seq = -seq WHERE seq < 0');
  db.prepare(`INSERT INTO audit_log (${RAW_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
    seq,
    ...row.slice(1),
  );
}

/** Exchanges the positions of rows a and b. */
export function swapRows(db: SqliteDatabase, a: number, b: number): void {
  const move = db.prepare('UPDATE audit_log SET seq = ? WHERE seq = ?');
  move.run(-1, a);
  move.run(a, b);
  move.run(b, -1);
}

export function readRow(db: SqliteDatabase, seq: number): RawAuditRow {
  const row = db.prepare(`SELECT ${RAW_COLUMNS} FROM audit_log WHERE seq = ?`).raw(true).get(seq) as
    RawAuditRow | undefined;
  if (row === undefined) throw new Error(`no audit row ${seq}`);
  return row;
}

/** Re-links and re-hashes every row from `seq` on, as an attacker who knows the hashing would. */
export function recomputeChain(db: SqliteDatabase, seq: number): void {
  let prev: Buffer = seq <= 1 ? Buffer.from(GENESIS_HASH) : readRow(db, seq - 1)[13];
  const rows = db
    .prepare(`SELECT ${RAW_COLUMNS} FROM audit_log WHERE seq >= ? ORDER BY seq`)
    .raw(true)
    .all(seq) as RawAuditRow[];
  const update = db.prepare('UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?');
  for (const row of rows) {
    const hash = rowHash(prev, encodeColumns(row.slice(1, 12) as HashedColumns));
    update.run(prev, hash, row[0]);
    prev = hash;
  }
}
