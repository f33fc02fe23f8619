import type { SqliteDatabase, SqliteStatement } from '../../native/sqlite.js';
import { auditColumns, encodeColumns, GENESIS_HASH, rowHash, type AuditEntry } from './audit-row.js';

interface Head {
  seq: number;
  hash: Uint8Array;
}

/**
 * Appends rows to the audit log's hash chain (design.md §5).
 *
 * The gate writes the audit row in the same transaction as the act it records, so that one is never
 * durable without the other: call `append` inside your own transaction (better-sqlite3's `.immediate()`,
 * so the head read below and the insert are not interleaved with another writer's). Called outside a
 * transaction, it opens an immediate one of its own.
 *
 * The head (last seq and hash) is read on every append rather than cached, so several processes (the
 * desktop app, `serve`, the command line) can append to the same file and keep one chain.
 */
export class AuditLog {
  private readonly selectHead: SqliteStatement<[], Head>;
  private readonly insert: SqliteStatement;

  constructor(private readonly db: SqliteDatabase) {
    // seq is the INTEGER PRIMARY KEY: the last row is one b-tree descent away.
    this.selectHead = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1');
    this.insert = db.prepare(
      `INSERT INTO audit_log (seq, at, actor, action, operation, target, result, origin, details, macs,
         break_glass, session_id, prev_hash, hash)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
  }

  /** Appends one row and returns its seq. Throws BAD_INPUT for an entry the log cannot hold exactly. */
  append(entry: AuditEntry): number {
    const [seq] = this.appendMany([entry]);
    return seq!;
  }

  /** Appends rows in order, chained one to the next; returns their seqs. All or none are written. */
  appendMany(entries: readonly AuditEntry[]): number[] {
    // Validate every entry before writing any, so a bad one leaves nothing behind even without a
    // transaction around the caller's act.
    const rows = entries.map(auditColumns);
    const write = (): number[] => {
      const head = this.selectHead.get();
      let seq = head?.seq ?? 0;
      let prev: Uint8Array = head?.hash ?? GENESIS_HASH;
      const seqs: number[] = [];
      for (const columns of rows) {
        seq += 1;
        const digest = rowHash(prev, encodeColumns(columns));
        this.insert.run(seq, ...columns, prev, digest);
        seqs.push(seq);
        prev = digest;
      }
      return seqs;
    };
    return this.db.inTransaction ? write() : this.db.transaction(write).immediate();
  }
}
