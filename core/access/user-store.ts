import { USER_NAME_PATTERN, type Role } from '../../common/access.js';
import { ErrorCode, VaultError } from '../../common/errors.js';
import type { SqliteDatabase } from '../../native/sqlite.js';
import type { RoleStore } from './role-store.js';

export interface UserRecord {
  id: number;
  name: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  /** When the user was disabled; null while enabled. */
  disabledAt: number | null;
  /** Names of the roles the user holds, sorted. */
  roles: string[];
}

/** One row of `users list`. */
export interface UserSummary {
  id: number;
  name: string;
  roles: string[];
  disabled: boolean;
  /** ISO 8601. */
  createdAt: string;
  /** How many key slots open a session as this user. */
  slots: number;
  /** Whether the user has a TOTP secret enrolled. */
  mfaEnrolled: boolean;
}

interface UserRow {
  id: number;
  name: string;
  created_at: number;
  disabled_at: number | null;
}

/** Users, their roles, the key slots they own and their sealed TOTP secrets (design.md §5). */
export class UserStore {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly roles: RoleStore,
  ) {}

  add(name: string, roleNames: readonly string[], now: number): UserRecord {
    assertUserName(name);
    if (this.byName(name) !== undefined) {
      throw new VaultError(ErrorCode.BAD_INPUT, `a user named ${JSON.stringify(name)} already exists`);
    }
    const unique = [...new Set(roleNames)];
    for (const role of unique) this.roles.require(role);
    const id = this.db.transaction(() => {
      const result = this.db.prepare('INSERT INTO users (name, created_at) VALUES (?, ?)').run(name, now);
      const userId = Number(result.lastInsertRowid);
      const grant = this.db.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)');
      for (const role of unique) grant.run(userId, role);
      return userId;
    })();
    return this.byId(id)!;
  }

  byName(name: string): UserRecord | undefined {
    const row = this.db
      .prepare('SELECT id, name, created_at, disabled_at FROM users WHERE name = ?')
      .get(name) as UserRow | undefined;
    return row && this.record(row);
  }

  byId(id: number): UserRecord | undefined {
    const row = this.db
      .prepare('SELECT id, name, created_at, disabled_at FROM users WHERE id = ?')
      .get(id) as UserRow | undefined;
    return row && this.record(row);
  }

  require(name: string): UserRecord {
    const user = this.byName(name);
    if (user === undefined)
      throw new VaultError(ErrorCode.NOT_FOUND, `no user named ${JSON.stringify(name)}`);
    return user;
  }

  /** Whose key slot this is; undefined for a slot that no user owns (or no such slot). */
  ownerOfSlot(slotId: number): UserRecord | undefined {
    const row = this.db
      .prepare(
        `SELECT u.id, u.name, u.created_at, u.disabled_at
         FROM key_slots s JOIN users u ON u.id = s.user_id WHERE s.id = ?`,
      )
      .get(slotId) as UserRow | undefined;
    return row && this.record(row);
  }

  list(): UserSummary[] {
    const rows = this.db
      .prepare(
        `SELECT u.id, u.name, u.created_at, u.disabled_at, u.totp_sealed IS NOT NULL AS mfa,
           (SELECT count(*) FROM key_slots s WHERE s.user_id = u.id) AS slots
         FROM users u ORDER BY u.name`,
      )
      .all() as (UserRow & { mfa: number; slots: number })[];
    return rows.map((row) => ({
      id: row.id,
      name: row.name,
      roles: this.roleNames(row.id),
      disabled: row.disabled_at !== null,
      createdAt: new Date(row.created_at).toISOString(),
      slots: row.slots,
      mfaEnrolled: row.mfa === 1,
    }));
  }

  /**
   * Disables a user: their key slots no longer open a session. Disabling a user already disabled keeps the
   * original time. Refused for the last enabled user who can manage users, since nobody could undo it.
   */
  disable(name: string, now: number): UserRecord {
    const user = this.require(name);
    if (user.disabledAt !== null) return user;
    const managers = this.userManagers();
    if (managers.length === 1 && managers[0] === user.id) {
      throw new VaultError(
        ErrorCode.BAD_INPUT,
        `${JSON.stringify(name)} is the only enabled user who can manage users (a role with MANAGE_USERS or ALL); ` +
          'disabling them would leave nobody able to manage users. Give another user such a role first.',
      );
    }
    this.db.prepare('UPDATE users SET disabled_at = ? WHERE id = ?').run(now, user.id);
    return { ...user, disabledAt: now };
  }

  enable(name: string): UserRecord {
    const user = this.require(name);
    this.db.prepare('UPDATE users SET disabled_at = NULL WHERE id = ?').run(user.id);
    return { ...user, disabledAt: null };
  }

  /** Gives a user a role (a default role or one policy defined). Giving a role already held is a no-op. */
  assignRole(name: string, role: string): UserRecord {
    const user = this.require(name);
    this.roles.require(role);
    this.db.prepare('INSERT OR IGNORE INTO user_roles (user_id, role) VALUES (?, ?)').run(user.id, role);
    return this.byId(user.id)!;
  }

  /**
   * Takes a role from a user. Refused when the user does not hold it, and when it would leave no enabled
   * user able to manage users.
   */
  removeRole(name: string, role: string): UserRecord {
    const user = this.require(name);
    if (!user.roles.includes(role)) {
      throw new VaultError(
        ErrorCode.NOT_FOUND,
        `user ${JSON.stringify(name)} does not hold role ${JSON.stringify(role)}; they hold: ${user.roles.join(', ') || 'none'}`,
      );
    }
    const managers = this.userManagers();
    if (managers.length === 1 && managers[0] === user.id) {
      const remaining = user.roles.filter((r) => r !== role).map((r) => this.roles.get(r));
      if (!remaining.some((r) => r !== undefined && managesUsers(r))) {
        throw new VaultError(
          ErrorCode.BAD_INPUT,
          `${JSON.stringify(name)} is the only enabled user who can manage users; removing role ` +
            `${JSON.stringify(role)} would leave nobody able to manage users. Give another user such a role first.`,
        );
      }
    }
    this.db.prepare('DELETE FROM user_roles WHERE user_id = ? AND role = ?').run(user.id, role);
    return this.byId(user.id)!;
  }

  /** The roles a user holds, resolved. A role name that resolves to nothing grants nothing. */
  rolesOf(userId: number): Role[] {
    return this.roleNames(userId).flatMap((name) => this.roles.get(name) ?? []);
  }

  setSlotOwner(slotId: number, userId: number): void {
    if (this.byId(userId) === undefined)
      throw new VaultError(ErrorCode.NOT_FOUND, `no user with id ${userId}`);
    const result = this.db.prepare('UPDATE key_slots SET user_id = ? WHERE id = ?').run(userId, slotId);
    if (result.changes !== 1) throw new VaultError(ErrorCode.NOT_FOUND, `no key slot with id ${slotId}`);
  }

  /**
   * Stores a user's sealed TOTP secret (see SecretSealer), or removes it with null. Removing also forgets
   * the last accepted time step.
   */
  setTotp(userId: number, sealed: Uint8Array | null): void {
    const result =
      sealed === null
        ? this.db
            .prepare('UPDATE users SET totp_sealed = NULL, totp_last_step = NULL WHERE id = ?')
            .run(userId)
        : this.db.prepare('UPDATE users SET totp_sealed = ? WHERE id = ?').run(sealed, userId);
    if (result.changes !== 1) throw new VaultError(ErrorCode.NOT_FOUND, `no user with id ${userId}`);
  }

  /** The user's sealed TOTP secret and the last time step accepted; undefined when none is enrolled. */
  totpOf(userId: number): { sealed: Uint8Array; lastStep: number | null } | undefined {
    const row = this.db
      .prepare('SELECT totp_sealed, totp_last_step FROM users WHERE id = ? AND totp_sealed IS NOT NULL')
      .get(userId) as { totp_sealed: Uint8Array; totp_last_step: number | null } | undefined;
    return row && { sealed: row.totp_sealed, lastStep: row.totp_last_step };
  }

  /**
   * Records an accepted TOTP time step. Only moves forward: returns false when a step at or after this one
   * was already recorded (the same code used twice, RFC 6238 §5.2), so two racing logins cannot both pass.
   */
  markTotpStep(userId: number, step: number): boolean {
    const result = this.db
      .prepare(
        'UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)',
      )
      .run(step, userId, step);
    return result.changes === 1;
  }

  private record(row: UserRow): UserRecord {
    return {
      id: row.id,
      name: row.name,
      createdAt: row.created_at,
      disabledAt: row.disabled_at,
      roles: this.roleNames(row.id),
    };
  }

  private roleNames(userId: number): string[] {
    return this.db
      .prepare('SELECT role FROM user_roles WHERE user_id = ? ORDER BY role')
      .pluck()
      .all(userId) as string[];
  }

  /**
   * Throws unless some enabled user can still manage users. Run inside the transaction of a change that
   * could take that away from everyone (a role redefined), so the change rolls back.
   */
  assertSomeoneManagesUsers(change: string): void {
    if (this.userManagers().length === 0) {
      throw new VaultError(
        ErrorCode.BAD_INPUT,
        `${change} would leave no enabled user able to manage users (a role with MANAGE_USERS or ALL); nothing was changed`,
      );
    }
  }

  /** Ids of the enabled users who hold a role granting MANAGE_USERS (or ALL). */
  private userManagers(): number[] {
    const ids = this.db.prepare('SELECT id FROM users WHERE disabled_at IS NULL').pluck().all() as number[];
    return ids.filter((id) => this.rolesOf(id).some(managesUsers));
  }
}

function managesUsers(role: Role): boolean {
  return role.permissions.includes('ALL') || role.permissions.includes('MANAGE_USERS');
}

function assertUserName(name: string): void {
  if (!USER_NAME_PATTERN.test(name)) {
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      `user name ${JSON.stringify(name)} is not valid: use 1-128 of letters, digits and . _ @ -, starting with a letter or digit`,
    );
  }
}
