import type { z } from 'zod';
import { RoleSchema, type Role } from '../../common/access.js';
import { ErrorCode, VaultError } from '../../common/errors.js';
import type { SqliteDatabase } from '../../native/sqlite.js';
import { BREAK_GLASS_ROLE, DEFAULT_ROLES, defaultRole, isReservedRoleName } from './default-roles.js';

export type ListedRole = Role & { builtin: boolean };

/**
 * The roles users can be given: the default roles (in code) and the roles policy defined (table `roles`).
 * The break-glass role is not among them; it cannot be assigned.
 */
export class RoleStore {
  constructor(private readonly db: SqliteDatabase) {}

  /** Default roles first, in their fixed order, then defined roles by name. */
  list(): ListedRole[] {
    const defined = (
      this.db.prepare('SELECT name, definition FROM roles ORDER BY name').all() as StoredRole[]
    ).map((row) => ({ ...parseStored(row), builtin: false }));
    return [...DEFAULT_ROLES.map((role) => ({ ...role, builtin: true })), ...defined];
  }

  get(name: string): Role | undefined {
    const builtin = defaultRole(name);
    if (builtin !== undefined) return builtin;
    const row = this.db.prepare('SELECT name, definition FROM roles WHERE name = ?').get(name) as
      StoredRole | undefined;
    return row && parseStored(row);
  }

  require(name: string): Role {
    const role = this.get(name);
    if (role === undefined) {
      const known = this.list()
        .map((r) => r.name)
        .join(', ');
      const hint =
        name === BREAK_GLASS_ROLE.name ? ' (break-glass is granted by a break-glass window only)' : '';
      throw new VaultError(
        ErrorCode.NOT_FOUND,
        `no role named ${JSON.stringify(name)}${hint}; known: ${known}`,
      );
    }
    return role;
  }

  /**
   * Defines a role, or replaces the definition of one defined before. Users holding it get the new
   * definition at their next permission check.
   */
  define(input: unknown, now: number): Role {
    const parsed = RoleSchema.safeParse(input);
    if (!parsed.success) {
      throw new VaultError(
        ErrorCode.BAD_INPUT,
        `role definition is not valid: ${describeIssues(parsed.error)}`,
      );
    }
    const role = parsed.data;
    if (isReservedRoleName(role.name)) {
      throw new VaultError(
        ErrorCode.BAD_INPUT,
        `role ${JSON.stringify(role.name)} is built in and cannot be redefined; choose another name`,
      );
    }
    this.db
      .prepare(
        `INSERT INTO roles (name, definition, defined_at) VALUES (?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET definition = excluded.definition, defined_at = excluded.defined_at`,
      )
      .run(role.name, JSON.stringify(role), now);
    return role;
  }
}

interface StoredRole {
  name: string;
  definition: string;
}

function parseStored(row: StoredRole): Role {
  let json: unknown;
  try {
    json = JSON.parse(row.definition);
  } catch {
    json = undefined;
  }
  const parsed = RoleSchema.safeParse(json);
  // A definition that no longer parses grants nothing rather than something unintended.
  if (!parsed.success || parsed.data.name !== row.name) {
    throw new VaultError(
      ErrorCode.STORAGE,
      `the stored definition of role ${JSON.stringify(row.name)} is not valid; define the role again`,
    );
  }
  return parsed.data;
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map(
      (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(role)'}: ${issue.message}`,
    )
    .join('; ');
}
