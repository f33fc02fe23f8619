/** The audit log's contract (design.md §5), shared by the engine, the command line and evidence reports. */

export const AUDIT_RESULTS = ['success', 'denied', 'error'] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/**
 * Verbs an auditor filters by (`audit query --action READ,EXPORT`). Each registered operation has one.
 */
export const AUDIT_ACTIONS = [
  'LOGIN',
  'LOGOUT',
  'LOCK',
  'READ',
  'LIST',
  'SEARCH',
  'WRITE',
  'DELETE',
  'EXPORT',
  'BREAK_GLASS',
  'ADMIN',
  'AUDIT',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One row of the audit log as read back (sensitive values only as their HMACs, in `macs`). */
export interface AuditRecord {
  seq: number;
  /** ISO 8601. */
  at: string;
  actor: string;
  action: AuditAction;
  /** The registered operation, e.g. `traces.get`. */
  operation: string;
  /** The trace id, user or role acted on; empty when the operation has no single target. */
  target: string;
  result: AuditResult;
  origin: string;
  /** Counts, bytes, reasons for denial: never trace content or a sensitive value in clear. */
  details: Record<string, unknown>;
  /** Hex HMACs (audit key) of the sensitive values the operation named: query words, subject ids, … */
  macs: string[];
  /** The break-glass grant in force for this actor at the time, if any. */
  breakGlass: number | null;
  sessionId: string;
}
