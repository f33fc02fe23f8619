import type { SqliteDatabase } from '../../native/sqlite.js';

export type AlertSeverity = 'info' | 'warning' | 'critical';

export interface Alert {
  id: number;
  /** ISO 8601. */
  at: string;
  kind: string;
  severity: AlertSeverity;
  /** One line for a person. Never trace content, keys or a patient's identifier. */
  message: string;
  details: Record<string, unknown>;
}

export type AlertListener = (alert: Alert) => void;

/**
 * Alerts raised by the engine (break-glass now; health, violations and backups later). Each is stored with
 * the vault, so it survives a crash and can be sent up when sync comes, and handed at once to listeners (a
 * desktop notification, a line on the terminal).
 */
export class AlertLog {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly listeners: readonly AlertListener[] = [],
  ) {}

  /** Stores the alert (inside the caller's transaction, if any) and returns it; `notify` hands it out. */
  store(
    kind: string,
    severity: AlertSeverity,
    message: string,
    details: Record<string, unknown>,
    now: number,
  ): Alert {
    const id = Number(
      this.db
        .prepare('INSERT INTO alerts (at, kind, severity, message, details) VALUES (?, ?, ?, ?, ?)')
        .run(now, kind, severity, message, JSON.stringify(details)).lastInsertRowid,
    );
    return { id, at: new Date(now).toISOString(), kind, severity, message, details };
  }

  /** Hands a stored alert to every listener; one listener failing does not keep it from the others. */
  notify(alert: Alert): void {
    for (const listener of this.listeners) {
      try {
        listener(alert);
      } catch {
        // A broken listener must not undo an alert that is already stored.
      }
    }
  }

  recent(limit = 50): Alert[] {
    const rows = this.db
      .prepare('SELECT id, at, kind, severity, message, details FROM alerts ORDER BY id DESC LIMIT ?')
      .all(limit) as {
      id: number;
      at: number;
      kind: string;
      severity: AlertSeverity;
      message: string;
      details: string;
    }[];
    return rows.map((r) => ({
      ...r,
      at: new Date(r.at).toISOString(),
      details: JSON.parse(r.details) as Record<string, unknown>,
    }));
  }
}
