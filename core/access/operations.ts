import type { Permission } from '../../common/access.js';
import type { AuditAction } from '../../common/audit.js';

/**
 * How an operation's audit row and its act share a transaction:
 * - `act-first`: a read; the act and then its row run in one transaction, and nothing leaves the gate
 *   until both commit (the row can then say how many traces were read);
 * - `record-first`: a write; the row is written, then the act, in one transaction;
 * - `staged`: the act has work outside one database transaction (a token operation, an export file) and
 *   calls `record` inside its final transaction, or once its result is complete and before it becomes
 *   visible; a failed record abandons the result.
 */
export type RecordOrder = 'act-first' | 'record-first' | 'staged';

/**
 * Where the user's scope applies:
 * - `target`: one trace named by id, checked by SQL before the act;
 * - `filter`: listings and searches, the scope joins the query;
 * - `inputs`: traces being written must lie inside the scope;
 * - `none`: the operation touches no trace.
 */
export type ScopeUse = 'target' | 'filter' | 'inputs' | 'none';

export interface OperationRule {
  /** The permission the operation needs; `AUTHENTICATED` needs only a session of an enabled user. */
  permission: Permission | 'AUTHENTICATED';
  action: AuditAction;
  order: RecordOrder;
  scope: ScopeUse;
}

/**
 * Every engine operation, with what it needs. The gate refuses an operation that is not here, and the
 * authorization matrix test checks this table against the written policy (docs/access-policy.md).
 */
export const OPERATIONS = {
  'session.open': { permission: 'AUTHENTICATED', action: 'LOGIN', order: 'record-first', scope: 'none' },
  'session.lock': { permission: 'AUTHENTICATED', action: 'LOCK', order: 'record-first', scope: 'none' },
  'session.close': { permission: 'AUTHENTICATED', action: 'LOGOUT', order: 'record-first', scope: 'none' },
  'session.whoami': { permission: 'AUTHENTICATED', action: 'READ', order: 'act-first', scope: 'none' },

  'traces.get': { permission: 'READ_TRACES', action: 'READ', order: 'act-first', scope: 'target' },
  'traces.list': { permission: 'READ_TRACES', action: 'LIST', order: 'act-first', scope: 'filter' },
  'traces.count': { permission: 'READ_TRACES', action: 'LIST', order: 'act-first', scope: 'filter' },
  'traces.search': { permission: 'SEARCH_TRACES', action: 'SEARCH', order: 'act-first', scope: 'filter' },
  'traces.put': { permission: 'WRITE_TRACES', action: 'WRITE', order: 'record-first', scope: 'inputs' },
  'traces.delete': { permission: 'DELETE_TRACES', action: 'DELETE', order: 'record-first', scope: 'target' },
  'traces.export': { permission: 'EXPORT_TRACES', action: 'EXPORT', order: 'staged', scope: 'filter' },

  'audit.query': { permission: 'VIEW_AUDIT_LOGS', action: 'AUDIT', order: 'act-first', scope: 'none' },
  'audit.lookup': { permission: 'VIEW_AUDIT_LOGS', action: 'AUDIT', order: 'act-first', scope: 'none' },
  'audit.verify': { permission: 'VIEW_AUDIT_LOGS', action: 'AUDIT', order: 'act-first', scope: 'none' },
  'audit.export': { permission: 'VIEW_AUDIT_LOGS', action: 'EXPORT', order: 'staged', scope: 'none' },

  'users.list': { permission: 'MANAGE_USERS', action: 'ADMIN', order: 'act-first', scope: 'none' },
  'users.add': { permission: 'MANAGE_USERS', action: 'ADMIN', order: 'staged', scope: 'none' },
  'users.disable': { permission: 'MANAGE_USERS', action: 'ADMIN', order: 'record-first', scope: 'none' },
  'users.enable': { permission: 'MANAGE_USERS', action: 'ADMIN', order: 'record-first', scope: 'none' },
  'users.assignRole': { permission: 'MANAGE_USERS', action: 'ADMIN', order: 'record-first', scope: 'none' },
  'users.removeRole': { permission: 'MANAGE_USERS', action: 'ADMIN', order: 'record-first', scope: 'none' },
  'users.enrollTotp': { permission: 'MANAGE_USERS', action: 'ADMIN', order: 'record-first', scope: 'none' },

  'roles.list': { permission: 'MANAGE_ROLES', action: 'ADMIN', order: 'act-first', scope: 'none' },
  'roles.show': { permission: 'MANAGE_ROLES', action: 'ADMIN', order: 'act-first', scope: 'none' },
  'roles.define': { permission: 'MANAGE_ROLES', action: 'ADMIN', order: 'record-first', scope: 'none' },

  'policy.show': { permission: 'MANAGE_POLICY', action: 'ADMIN', order: 'act-first', scope: 'none' },
  'policy.set': { permission: 'MANAGE_POLICY', action: 'ADMIN', order: 'record-first', scope: 'none' },

  'keys.status': { permission: 'MANAGE_KEYS', action: 'ADMIN', order: 'act-first', scope: 'none' },
  'keys.rotate': { permission: 'MANAGE_KEYS', action: 'ADMIN', order: 'record-first', scope: 'none' },
  'keys.rotateMaster': { permission: 'MANAGE_KEYS', action: 'ADMIN', order: 'staged', scope: 'none' },
  'keys.slots.list': { permission: 'MANAGE_KEYS', action: 'ADMIN', order: 'act-first', scope: 'none' },
  'keys.slots.add': { permission: 'MANAGE_KEYS', action: 'ADMIN', order: 'staged', scope: 'none' },
  'keys.slots.remove': { permission: 'MANAGE_KEYS', action: 'ADMIN', order: 'record-first', scope: 'none' },

  'breakGlass.start': { permission: 'BREAK_GLASS', action: 'BREAK_GLASS', order: 'act-first', scope: 'none' },
} as const satisfies Record<string, OperationRule>;

export type OperationName = keyof typeof OPERATIONS;

/** The rule of `name`, or undefined for a name nobody registered (the gate refuses those). */
export function ruleOf(name: string): OperationRule | undefined {
  return Object.hasOwn(OPERATIONS, name) ? (OPERATIONS as Record<string, OperationRule>)[name] : undefined;
}
