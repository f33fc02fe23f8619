import type { AccessPolicy, Role } from '../../common/access.js';
import { ErrorCode, VaultError } from '../../common/errors.js';
import { wipe } from '../crypto/bytes.js';
import type { KeyProvider } from '../keys/key-provider.js';
import type { KeyStatus, RewrapProgress } from '../keys/key-rotation.js';
import type { KeySlotInfo, Vault } from '../vault/vault.js';
import { readAccessPolicy, updateAccessPolicy } from './access-policy.js';
import type { Gate } from './gate.js';
import type { ListedRole, RoleStore } from './role-store.js';
import type { SecretSealer } from './secret-sealer.js';
import { newTotpSecret, totpUri } from './totp.js';
import type { UserRecord, UserStore, UserSummary } from './user-store.js';

/** Users, roles, policy and keys: the site admin's operations, each through the gate. */
export class SessionAdmin {
  constructor(
    private readonly gate: Gate,
    private readonly vault: Vault,
    private readonly users: UserStore,
    private readonly roles: RoleStore,
    private readonly now: () => number,
    private readonly sealer: () => SecretSealer,
  ) {}

  listUsers(): UserSummary[] {
    return this.gate.perform('users.list', {}, () => {
      const users = this.users.list();
      return { value: users, details: { count: users.length } };
    });
  }

  /**
   * Adds a user with `roles` and their first key slot, proven by `provider` (their passphrase or token):
   * the user, the slot and the audit row commit together.
   */
  addUser(name: string, roles: readonly string[], provider: KeyProvider): Promise<UserRecord> {
    return this.gate.performStaged(
      'users.add',
      { target: name, details: { roles: [...roles], slot: provider.kind } },
      async (_access, record) => {
        // Checked before the token or passphrase work, so a bad name or role costs nothing.
        if (this.users.byName(name)) {
          throw new VaultError(ErrorCode.BAD_INPUT, `a user named ${JSON.stringify(name)} already exists`);
        }
        for (const role of roles) this.roles.require(role);
        let added: UserRecord | undefined;
        await this.vault.addSlot(provider, {
          owner: () => (added = this.users.add(name, roles, this.now())).id,
          beforeCommit: () => record(),
        });
        return added!;
      },
    );
  }

  disableUser(name: string): UserRecord {
    return this.gate.perform('users.disable', { target: name }, () => ({
      value: this.users.disable(name, this.now()),
    }));
  }

  enableUser(name: string): UserRecord {
    return this.gate.perform('users.enable', { target: name }, () => ({ value: this.users.enable(name) }));
  }

  assignRole(name: string, role: string): UserRecord {
    return this.gate.perform('users.assignRole', { target: name, details: { role } }, () => ({
      value: this.users.assignRole(name, role),
    }));
  }

  removeRole(name: string, role: string): UserRecord {
    return this.gate.perform('users.removeRole', { target: name, details: { role } }, () => ({
      value: this.users.removeRole(name, role),
    }));
  }

  /**
   * Gives `name` a new TOTP secret (replacing any old one) and returns it once, as an otpauth:// URI for
   * an authenticator app. The vault keeps it sealed; the audit row never holds it.
   */
  enrollTotp(name: string): { secret: string; uri: string } {
    return this.gate.perform('users.enrollTotp', { target: name }, () => {
      const user = this.users.require(name);
      const secret = newTotpSecret();
      const sealer = this.sealer();
      try {
        const bytes = Buffer.from(secret, 'utf8');
        this.users.setTotp(user.id, sealer.seal(`totp\0${user.id}`, bytes));
        wipe(bytes);
      } finally {
        sealer.destroy();
      }
      return { value: { secret, uri: totpUri(secret, name) } };
    });
  }

  listRoles(): ListedRole[] {
    return this.gate.perform('roles.list', {}, () => ({ value: this.roles.list() }));
  }

  showRole(name: string): Role {
    return this.gate.perform('roles.show', { target: name }, () => ({ value: this.roles.require(name) }));
  }

  /** Defines or replaces a role from its JSON form (validated: every permission and scope known). */
  defineRole(definition: unknown): Role {
    const name =
      typeof definition === 'object' && definition !== null
        ? (definition as { name?: unknown }).name
        : undefined;
    return this.gate.perform('roles.define', { target: typeof name === 'string' ? name : '' }, () => {
      const role = this.roles.define(definition, this.now());
      // In the same transaction: a redefinition that leaves nobody able to manage users rolls back.
      this.users.assertSomeoneManagesUsers(`redefining role ${role.name}`);
      return { value: role };
    });
  }

  showPolicy(): AccessPolicy {
    return this.gate.perform('policy.show', {}, () => ({ value: readAccessPolicy(this.vault.database) }));
  }

  /**
   * Changes the access policy. Turning on `mfa_required` is refused while the admin making the change has
   * no TOTP enrolled, so nobody locks themselves out with one command.
   */
  setPolicy(changes: Record<string, unknown>, actor: { id: number; name: string }): AccessPolicy {
    return this.gate.perform('policy.set', { details: { changes: Object.keys(changes) } }, () => {
      if (changes['mfa_required'] === true && !this.users.totpOf(actor.id)) {
        throw new VaultError(
          ErrorCode.BAD_INPUT,
          `enrol a one-time code for ${actor.name} first (\`vault-manager users enroll-totp ${actor.name}\`): with mfa_required on, a passphrase alone no longer opens a session`,
        );
      }
      return { value: updateAccessPolicy(this.vault.database, changes) };
    });
  }

  keyStatus(): KeyStatus {
    return this.gate.perform('keys.status', {}, () => ({ value: this.vault.keyStatus() }));
  }

  /** Rotates the KEK: the new version is in force when the audit row commits; re-wrapping follows. */
  async rotateKeys(onProgress?: (progress: RewrapProgress) => void): Promise<number> {
    const version = this.gate.perform('keys.rotate', {}, () => {
      const v = this.vault.beginKeyRotation();
      return { value: v, details: { version: v } };
    });
    await this.vault.finishRewrap(onProgress);
    return version;
  }

  /** Moves the vault to a new master; the old slots go, the session's user owns the new one. */
  rotateMaster(provider: KeyProvider): Promise<number> {
    return this.gate.performStaged('keys.rotateMaster', { details: { slot: provider.kind } }, (_a, record) =>
      this.vault.rotateMaster(provider, () => record()),
    );
  }

  listSlots(): KeySlotInfo[] {
    return this.gate.perform('keys.slots.list', {}, () => ({ value: this.vault.listSlots() }));
  }

  /** Adds a key slot for `owner` (by default the session's user). */
  addSlot(provider: KeyProvider, owner?: string): Promise<number> {
    return this.gate.performStaged(
      'keys.slots.add',
      { target: owner ?? '', details: { slot: provider.kind } },
      (_access, record) => {
        const ownerId = owner === undefined ? undefined : this.users.require(owner).id;
        return this.vault.addSlot(provider, {
          ...(ownerId === undefined ? {} : { owner: () => ownerId }),
          beforeCommit: () => record(),
        });
      },
    );
  }

  removeSlot(id: number): void {
    this.gate.perform('keys.slots.remove', { target: String(id) }, () => {
      this.vault.removeSlot(id);
      return { value: undefined };
    });
  }
}
