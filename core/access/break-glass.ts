import type { SqliteDatabase } from '../../native/sqlite.js';

export interface BreakGlassGrant {
  id: number;
  userId: number;
  startedAt: number;
  endsAt: number;
}

/**
 * Break-glass grants (HIPAA §164.312(a)(2)(ii), emergency access): time-boxed, with a sealed reason. A grant
 * widens its user's access only between its start and end; the rows written meanwhile carry its id.
 */
export class BreakGlassGrants {
  constructor(private readonly db: SqliteDatabase) {}

  /** The grant in force for `userId` at `now`, if any (the latest one when windows overlap). */
  active(userId: number, now: number): BreakGlassGrant | undefined {
    const row = this.db
      .prepare(
        `SELECT id, user_id, started_at, ends_at FROM break_glass
         WHERE user_id = ? AND started_at <= ? AND ends_at > ? ORDER BY id DESC LIMIT 1`,
      )
      .get(userId, now, now) as
      { id: number; user_id: number; started_at: number; ends_at: number } | undefined;
    return row && { id: row.id, userId: row.user_id, startedAt: row.started_at, endsAt: row.ends_at };
  }

  /** Records a grant; call inside the transaction of its audit row. */
  start(userId: number, now: number, minutes: number, reasonSealed: Uint8Array): BreakGlassGrant {
    const endsAt = now + minutes * 60_000;
    const id = Number(
      this.db
        .prepare('INSERT INTO break_glass (user_id, started_at, ends_at, reason_sealed) VALUES (?, ?, ?, ?)')
        .run(userId, now, endsAt, reasonSealed).lastInsertRowid,
    );
    return { id, userId, startedAt: now, endsAt };
  }

  /** The sealed reason of grant `id` (opened by whoever holds the users key). */
  reasonOf(id: number): Uint8Array | undefined {
    const row = this.db.prepare('SELECT reason_sealed FROM break_glass WHERE id = ?').get(id) as
      { reason_sealed: Uint8Array } | undefined;
    return row?.reason_sealed;
  }
}
