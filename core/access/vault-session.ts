import type { AccessPolicy, Origin } from '../../common/access.js';
import { ErrorCode, VaultError, isVaultError } from '../../common/errors.js';
import { AlertLog, type AlertListener } from '../alerts/alert-log.js';
import { AuditLog } from '../audit/audit-log.js';
import { sensitiveMacs } from '../audit/audit-macs.js';
import { CheckpointSchedule } from '../audit/checkpoint-schedule.js';
import { AuditCheckpointer, type CheckpointSigner } from '../audit/checkpoints.js';
import { wipe } from '../crypto/bytes.js';
import type { KeyProvider } from '../keys/key-provider.js';
import { Vault, type CreateOptions, type OpenOptions } from '../vault/vault.js';
import { readAccessPolicy } from './access-policy.js';
import { startBreakGlass } from './break-glass-start.js';
import { BreakGlassGrants } from './break-glass.js';
import { BREAK_GLASS_ROLE } from './default-roles.js';
import { Gate } from './gate.js';
import { RoleStore } from './role-store.js';
import { scopeToSql, scopesFor } from './scope.js';
import { SecretSealer } from './secret-sealer.js';
import { Session, type SessionUser } from './session.js';
import { SessionAdmin } from './session-admin.js';
import { SessionAudit } from './session-audit.js';
import { SessionTraces } from './session-traces.js';
import { verifyTotp } from './totp.js';
import { recordFailedUnlock } from './failed-unlock.js';
import { UserStore } from './user-store.js';

export interface SessionOptions extends OpenOptions {
  /** Where the caller is: this machine (default) or a local-API client's address. */
  origin?: Origin;
  /** Asked for a TOTP code when policy requires one for the slot that was proven. */
  totp?: () => Promise<string> | string;
  /** Receives alerts as they are raised (break-glass), besides their row in the vault. */
  onAlert?: AlertListener;
}

/**
 * Slot kinds that prove two factors on their own: a token holds the key (possession) and asks its PIN
 * (knowledge). Every other slot (a passphrase, a recovery key, the OS keychain opened by the OS login)
 * proves one, and needs a TOTP code too when policy says `mfa_required`.
 */
const TWO_FACTOR_SLOTS = new Set(['pkcs11']);

/**
 * One user's session on an unlocked vault: the only way the command line, the desktop app and the local
 * API reach the engine. Every call passes one gate (design.md §5); the vault itself stays inside.
 */
export class VaultSession {
  readonly traces: SessionTraces;
  readonly admin: SessionAdmin;
  readonly audit: SessionAudit;
  private readonly gate: Gate;
  private readonly users: UserStore;
  private readonly roles: RoleStore;
  private readonly grants: BreakGlassGrants;
  private readonly alerts: AlertLog;
  private readonly checkpoints: CheckpointSchedule;
  private readonly now: () => number;

  private constructor(
    private readonly vault: Vault,
    readonly session: Session,
    options: SessionOptions,
    /** Signs audit checkpoints; absent when the device key is on a token that is not the one unlocking. */
    signer: CheckpointSigner | undefined,
  ) {
    const db = vault.database;
    this.now = options.now ?? Date.now;
    this.roles = new RoleStore(db);
    this.users = new UserStore(db, this.roles);
    this.grants = new BreakGlassGrants(db);
    this.alerts = new AlertLog(db, options.onAlert ? [options.onAlert] : []);
    const log = new AuditLog(db);
    this.checkpoints = new CheckpointSchedule(
      signer && new AuditCheckpointer(db, vault.vaultId, signer, this.now),
      () => this.policy(),
      (message) => this.raise('audit-integrity', message),
    );
    this.gate = new Gate({
      db,
      session,
      now: this.now,
      appendAudit: (entry) => log.append(entry),
      macs: (values) => sensitiveMacs(values, (v: string) => vault.auditMac(v)),
      grant: (permission) => this.grant(permission),
      userRefusal: () => this.userRefusal(),
      toSql: (scopes) =>
        scopeToSql(scopes, {
          self: session.user.name,
          userRef: (v) => vault.identityRef('user', v),
          subjectRef: (v) => vault.identityRef('subject', v),
        }),
      idleTimeoutMs: () => this.policy().idle_timeout_minutes * 60_000,
      lock: (reason) => vault.lock(reason),
      afterRollback: () => vault.forgetCachedKeys(),
      afterRecord: () => this.checkpoints.afterRow(),
    });
    this.traces = new SessionTraces(this.gate, vault, session);
    this.admin = new SessionAdmin(this.gate, vault, this.users, this.roles, this.now, () => this.sealer());
    this.audit = new SessionAudit(this.gate, vault, () => this.sealer());
  }

  /**
   * Opens a session by proving one of the vault's key slots: the slot's owner is the session's user. A
   * disabled user, or a missing or wrong second factor, opens nothing; every attempt is audited.
   */
  static async open(
    home: string,
    provider: KeyProvider,
    options: SessionOptions = {},
  ): Promise<VaultSession> {
    const origin = options.origin ?? 'local';
    let vault: Vault;
    try {
      vault = await Vault.open(home, provider, options);
    } catch (error) {
      if (isVaultError(error, ErrorCode.WRONG_SECRET)) {
        recordFailedUnlock(home, provider.kind, origin, (options.now ?? Date.now)());
      }
      throw error;
    }
    return VaultSession.start(vault, provider, options, origin);
  }

  /** Creates a vault whose first slot belongs to its first user, the admin, and opens their session. */
  static async create(home: string, provider: KeyProvider, options: SessionOptions & CreateOptions = {}) {
    const vault = await Vault.create(home, provider, options);
    return VaultSession.start(vault, provider, options, options.origin ?? 'local');
  }

  private static async start(
    vault: Vault,
    provider: KeyProvider,
    options: SessionOptions,
    origin: Origin,
  ): Promise<VaultSession> {
    try {
      const owner = new UserStore(vault.database, new RoleStore(vault.database)).ownerOfSlot(
        vault.unlockedSlotId,
      );
      if (!owner) {
        throw new VaultError(ErrorCode.FORBIDDEN, `key slot ${vault.unlockedSlotId} belongs to no user`);
      }
      const user: SessionUser = { id: owner.id, name: owner.name };
      const signer = await vault.deviceKey().catch((error: unknown) => {
        // A device key on another token cannot sign here; rows wait for a session that can.
        if (isVaultError(error, ErrorCode.UNAVAILABLE)) return undefined;
        throw error;
      });
      const session = new VaultSession(
        vault,
        new Session(user, origin, options.now ?? Date.now),
        options,
        signer,
      );
      if (!TWO_FACTOR_SLOTS.has(provider.kind) && session.policy().mfa_required) {
        await session.secondFactor(options.totp);
      }
      session.gate.perform('session.open', { details: { slot: provider.kind } }, () => ({
        value: undefined,
      }));
      return session;
    } catch (error) {
      vault.close();
      throw error;
    }
  }

  /** RFC 6238 second factor: one code opens one session. */
  private async secondFactor(ask: SessionOptions['totp']): Promise<void> {
    const { user } = this.session;
    const enrolled = this.users.totpOf(user.id);
    if (!enrolled) {
      throw this.gate.deny(
        'session.open',
        `policy requires a one-time code, and ${user.name} has none enrolled; an admin runs \`vault-manager users enroll-totp ${user.name}\``,
        ErrorCode.MFA_REQUIRED,
      );
    }
    const code = ask ? (await ask()).trim() : '';
    if (code === '') {
      throw this.gate.deny('session.open', 'policy requires a one-time code (TOTP)', ErrorCode.MFA_REQUIRED);
    }
    const sealer = this.sealer();
    let secret: Uint8Array | undefined;
    try {
      secret = sealer.open(`totp\0${user.id}`, enrolled.sealed);
      const step = verifyTotp(Buffer.from(secret).toString('utf8'), code, this.now(), enrolled.lastStep);
      if (step === undefined || !this.users.markTotpStep(user.id, step)) {
        throw this.gate.deny(
          'session.open',
          'the one-time code is wrong or was already used',
          ErrorCode.MFA_REQUIRED,
        );
      }
    } finally {
      wipe(secret);
      sealer.destroy();
    }
  }

  /** The access policy in force. */
  policy(): AccessPolicy {
    return readAccessPolicy(this.vault.database);
  }

  get vaultId(): string {
    return this.vault.vaultId;
  }

  /** Traces larger than this are refused. */
  get maxTraceBytes(): number {
    return this.vault.maxTraceBytes;
  }

  get user(): SessionUser {
    return this.session.user;
  }

  /** The session's user, their roles and any break-glass grant in force (an audited read). */
  whoami(): { user: string; roles: string[]; origin: string; breakGlassUntil: string | null } {
    return this.gate.perform('session.whoami', {}, () => {
      const record = this.users.byId(this.session.user.id);
      const grant = this.grants.active(this.session.user.id, this.now());
      return {
        value: {
          user: this.session.user.name,
          roles: record?.roles ?? [],
          origin: this.session.origin,
          breakGlassUntil: grant ? new Date(grant.endsAt).toISOString() : null,
        },
      };
    });
  }

  /**
   * Break-glass: time-boxed access to every trace, a sealed reason, an alert at once, every row marked
   * (break-glass-start.ts).
   */
  breakGlass(reason: string, minutes: number): { id: number; endsAt: string } {
    return startBreakGlass(
      {
        gate: this.gate,
        session: this.session,
        grants: this.grants,
        alerts: this.alerts,
        sealer: () => this.sealer(),
        now: this.now,
        maxMinutes: () => this.policy().break_glass_max_minutes,
      },
      reason,
      minutes,
    );
  }

  private raise(kind: string, message: string): void {
    try {
      const alert = this.vault.database.transaction(() =>
        this.alerts.store(kind, 'critical', message, {}, this.now()),
      )();
      this.alerts.notify(alert);
    } catch {
      // The vault is closing or its file is unwritable; the next verify reports the same break.
    }
  }

  /** Recent alerts (break-glass and later kinds). */
  recentAlerts(limit = 50): ReturnType<AlertLog['recent']> {
    return this.alerts.recent(limit);
  }

  /**
   * Locks the session when it has been idle longer than policy allows (the desktop app and `serve` call
   * this on a timer). Returns true when it locked.
   */
  checkIdle(): boolean {
    if (this.session.locked) return true;
    const timeout = this.policy().idle_timeout_minutes * 60_000;
    if (this.session.idleMs(this.now()) <= timeout) return false;
    try {
      this.gate.recordLock('idle timeout');
    } finally {
      this.endSession('locked after idle timeout');
    }
    return true;
  }

  /** Locks at once (the user asked, the screen locked, the token left): keys wiped, one audit row. */
  lock(reason = 'locked by the user'): void {
    if (this.session.locked) return;
    try {
      this.gate.perform('session.lock', { details: { reason } }, () => ({ value: undefined }));
    } finally {
      this.endSession(reason);
    }
  }

  /** Ends the session normally: any due checkpoint is written, one audit row, keys wiped. */
  async close(): Promise<void> {
    if (this.session.locked || this.vault.isLocked) return;
    try {
      this.gate.perform('session.close', {}, () => ({ value: undefined }));
      await this.checkpoints.flush();
    } finally {
      this.endSession('closed');
    }
  }

  get isLocked(): boolean {
    return this.session.locked || this.vault.isLocked;
  }

  /** Waits for background work: key re-wrapping and audit checkpoints. */
  async whenIdle(): Promise<void> {
    await this.vault.whenIdle();
    await this.checkpoints.whenIdle();
  }

  private endSession(reason: string): void {
    this.session.lock(reason);
    this.vault.lock(reason);
  }

  private grant(permission: Parameters<typeof scopesFor>[1]) {
    const userId = this.session.user.id;
    const scopes = scopesFor(this.users.rolesOf(userId), permission);
    const glass = this.grants.active(userId, this.now());
    const widened = glass ? scopesFor([BREAK_GLASS_ROLE], permission) : undefined;
    if (scopes === undefined && widened === undefined) return undefined;
    return { scopes: [...(scopes ?? []), ...(widened ?? [])], breakGlass: glass?.id ?? null };
  }

  private userRefusal(): string | undefined {
    const record = this.users.byId(this.session.user.id);
    if (!record) return `user ${this.session.user.name} no longer exists`;
    if (record.disabledAt !== null) return `user ${record.name} is disabled`;
    return undefined;
  }

  private sealer(): SecretSealer {
    const key = this.vault.secretKey('users');
    try {
      return new SecretSealer(key);
    } finally {
      wipe(key);
    }
  }
}
