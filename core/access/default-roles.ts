/**
 * The roles every vault has (design.md §5). They live in code, not in the `roles` table, so a policy can
 * add roles but never quietly widen these.
 */
import type { Role } from '../../common/access.js';

function frozen(role: Role): Role {
  return Object.freeze({
    ...role,
    permissions: Object.freeze([...role.permissions]) as Role['permissions'],
    scopes: Object.freeze(
      role.scopes.map((scope) => (scope === 'all' ? scope : Object.freeze({ ...scope }))),
    ) as Role['scopes'],
  });
}

export const DEFAULT_ROLES: readonly Role[] = Object.freeze([
  frozen({
    name: 'clinician',
    description:
      'For clinicians who review the traces of their own work with agents, PHI included; may open a break-glass window in an emergency.',
    permissions: ['READ_TRACES', 'SEARCH_TRACES', 'READ_PHI', 'BREAK_GLASS'],
    scopes: [{ user_id: 'self' }],
  }),
  frozen({
    name: 'developer',
    description: 'For developers who debug development agents (agent ids starting with "dev-").',
    permissions: ['READ_TRACES', 'SEARCH_TRACES'],
    scopes: [{ agent_id: 'dev-*' }],
  }),
  frozen({
    name: 'auditor',
    description: 'For compliance officers who read and export traces and review the audit log.',
    permissions: ['READ_TRACES', 'EXPORT_TRACES', 'VIEW_AUDIT_LOGS'],
    scopes: ['all'],
  }),
  frozen({
    name: 'admin',
    description: 'For administrators of this vault: every permission over every trace.',
    permissions: ['ALL'],
    scopes: ['all'],
  }),
]);

/**
 * What a user holds, on top of their roles, while a break-glass window they opened is running. It cannot be
 * assigned to anyone: the gate applies it for the window's duration only.
 */
export const BREAK_GLASS_ROLE: Role = frozen({
  name: 'break-glass',
  description: 'Emergency access during a break-glass window: read and search every trace, PHI included.',
  permissions: ['READ_TRACES', 'SEARCH_TRACES', 'READ_PHI'],
  scopes: ['all'],
});

/** Names no policy may define: the default roles and the break-glass role. */
export function isReservedRoleName(name: string): boolean {
  return name === BREAK_GLASS_ROLE.name || DEFAULT_ROLES.some((role) => role.name === name);
}

export function defaultRole(name: string): Role | undefined {
  return DEFAULT_ROLES.find((role) => role.name === name);
}
