/**
 * The access contract (design.md §5): permission names, scopes, roles and the access policy. Shared by the
 * engine, the command line, the desktop app and policy bundles from the control plane.
 */
import { z } from 'zod';

export const PERMISSIONS = [
  'READ_TRACES',
  'SEARCH_TRACES',
  'WRITE_TRACES',
  'EXPORT_TRACES',
  'DELETE_TRACES',
  'READ_PHI',
  'VIEW_AUDIT_LOGS',
  'MANAGE_USERS',
  'MANAGE_ROLES',
  'MANAGE_KEYS',
  'MANAGE_POLICY',
  'APPROVE_SYNC',
  'BACKUP',
  'RESTORE',
  'BREAK_GLASS',
  /** Every permission, today's and tomorrow's. */
  'ALL',
] as const;
export type Permission = (typeof PERMISSIONS)[number];
export const PermissionSchema = z.enum(PERMISSIONS, {
  error: (issue) => `unknown permission ${JSON.stringify(issue.input)}; known: ${PERMISSIONS.join(', ')}`,
});

/** Glob patterns, as SQLite's GLOB reads them, limited to `*` and `?` wildcards. */
const GLOB = /^[^[\]]{1,256}$/;
const glob = (what: string) =>
  z.string().regex(GLOB, `${what} must be 1-256 characters; wildcards are * and ? (no brackets)`);

/**
 * One scope rule: a trace is in it when every attribute named matches. `user_id: self` is the session's
 * own user. People's identifiers are stored as keyed HMACs, so `user_id` and `subject_id` compare exactly
 * (no wildcards); `agent_id` and `region` take globs.
 */
export const ScopeRuleSchema = z
  .strictObject({
    agent_id: glob('agent_id').optional(),
    user_id: z
      .string()
      .min(1)
      .max(256)
      .refine(
        (v) => !/[*?]/.test(v),
        'user_id is stored as a keyed hash: "self" or an exact id, no wildcards',
      )
      .optional(),
    subject_id: z
      .string()
      .min(1)
      .max(256)
      .refine((v) => !/[*?]/.test(v), 'subject_id is stored as a keyed hash: an exact id, no wildcards')
      .optional(),
    region: glob('region').optional(),
  })
  .refine(
    (rule) => Object.keys(rule).length > 0,
    'a scope rule names at least one attribute; use "all" for all',
  );
export type ScopeRule = z.infer<typeof ScopeRuleSchema>;

export const ScopeSchema = z.union([z.literal('all'), ScopeRuleSchema]);
export type Scope = z.infer<typeof ScopeSchema>;

export const ROLE_NAME_PATTERN = /^[a-z][a-z0-9_-]{0,63}$/;

/** A role: permissions that hold over the union of its scopes. Roles are data: policy may define more. */
export const RoleSchema = z.strictObject({
  name: z.string().regex(ROLE_NAME_PATTERN, 'a role name is 1-64 of a-z 0-9 _ -, starting with a letter'),
  description: z.string().max(500).default(''),
  permissions: z.array(PermissionSchema).min(1, 'a role grants at least one permission'),
  scopes: z.array(ScopeSchema).min(1, 'a role has at least one scope ("all" for everything)'),
});
export type Role = z.infer<typeof RoleSchema>;

export const USER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,127}$/;

/** The access part of the effective policy (design.md §7 resolves profiles to one of these). */
export const AccessPolicySchema = z.strictObject({
  /** Passphrase users must also give a TOTP code (RFC 6238) to open a session. */
  mfa_required: z.boolean().default(false),
  /** A session idle this long locks (HIPAA §164.312(a)(2)(iii), automatic logoff). */
  idle_timeout_minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(15),
  /** The longest break-glass window one request may open. */
  break_glass_max_minutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60)
    .default(60),
  /** A signed audit checkpoint every this many rows … */
  audit_checkpoint_rows: z.number().int().min(1).max(1_000_000).default(1000),
  /** … or this many seconds, whichever comes first. */
  audit_checkpoint_seconds: z.number().int().min(1).max(86_400).default(300),
});
export type AccessPolicy = z.infer<typeof AccessPolicySchema>;

/** Where a session's calls come from: this machine, or the address of a local-API caller. */
export type Origin = 'local' | `api:${string}`;
