import type { Permission, Scope } from '../../common/access.js';
import type { AuditResult } from '../../common/audit.js';
import { ErrorCode, VaultError, isVaultError } from '../../common/errors.js';
import type { SqliteDatabase } from '../../native/sqlite.js';
import type { AuditEntry } from '../audit/audit-row.js';
import type { SqlCondition } from '../store/trace-filter-sql.js';
import { ruleOf, type OperationName, type OperationRule } from './operations.js';
import type { Session } from './session.js';

/** What an operation was granted: the scopes that hold for its permission, as SQL and for checks in memory. */
export interface Access {
  readonly scopes: readonly Scope[];
  /** The scopes as a condition over `traces t` (empty when unrestricted). */
  readonly sql: SqlCondition;
  /** The break-glass grant in force, if any; rows written while it lasts are marked with it. */
  readonly breakGlass: number | null;
}

/** What the caller says about an operation before it runs. */
export interface GateRequest {
  /** The trace id, user or role acted on. */
  target?: string;
  /** Values an auditor may look up but the log must not hold: stored as HMACs under the audit key. */
  sensitive?: readonly string[];
  /** Counts and sizes known up front (a write's batch size). Never content. */
  details?: Record<string, unknown>;
}

/** What an act returns: its value, and what its audit row should say about it. */
export interface Outcome<T> {
  value: T;
  details?: Record<string, unknown>;
  /** Trace ids whose content the act returned (a search page): recorded, so "who saw what" has an answer. */
  traces?: readonly string[];
  /** A break-glass grant the act itself opened: its own row is marked with it too. */
  breakGlass?: number;
}

/** The gate's view of the rest of the engine, injected so each part can be tested on its own. */
export interface GateDeps {
  db: SqliteDatabase;
  session: Session;
  now: () => number;
  /** Appends one row inside the current transaction. */
  appendAudit: (entry: AuditEntry) => void;
  /** HMACs (hex) of sensitive values. */
  macs: (values: readonly string[]) => string[];
  /** The user's current roles' scopes for a permission (undefined: not granted); re-read on every call. */
  grant: (permission: Permission) => { scopes: Scope[]; breakGlass: number | null } | undefined;
  /** Whether the session's user may still act (exists and is not disabled); a reason when not. */
  userRefusal: () => string | undefined;
  toSql: (scopes: readonly Scope[]) => SqlCondition;
  idleTimeoutMs: () => number;
  /** Locks the vault (keys wiped) for `reason`. */
  lock: (reason: string) => void;
  /** After a rolled-back act: caches filled inside the transaction are dropped. */
  afterRollback: () => void;
  /** After every committed row (a checkpoint may be due). */
  afterRecord: () => void;
}

/**
 * What a row's target may hold in clear: ids, user and role names. Anything else (a mistyped id that might
 * be a patient's name, text that a spreadsheet would run as a formula) is recorded only by its HMAC.
 */
const SAFE_TARGET = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;

/** The audit row could not be written: the operation must fail, and return nothing. */
class AuditWriteError extends VaultError {}

/**
 * The one gate every engine operation passes (design.md §5): session → permission and scope → audit row
 * in the same transaction as the act → act. Denials and failures are recorded too, one row per operation.
 * If a row cannot be written, the operation fails and returns nothing (fail closed).
 */
export class Gate {
  constructor(private readonly deps: GateDeps) {}

  /** Runs an `act-first` or `record-first` operation. */
  perform<T>(name: OperationName, request: GateRequest, act: (access: Access) => Outcome<T>): T {
    const { rule, access } = this.admit(name, request);
    if (rule.order === 'staged') throw new Error(`${name} is staged: call performStaged`);
    let outcome: Outcome<T> | undefined;
    try {
      this.deps.db
        .transaction(() => {
          if (rule.order === 'record-first') {
            this.append(name, rule, request, 'success', access, request.details);
            outcome = act(access);
          } else {
            outcome = act(access);
            const details = withTraces({ ...request.details, ...outcome.details }, outcome.traces);
            const marked =
              outcome.breakGlass === undefined ? access : { ...access, breakGlass: outcome.breakGlass };
            this.append(name, rule, request, 'success', marked, details);
          }
        })
        .immediate();
    } catch (error) {
      throw this.failed(name, rule, request, access, error);
    }
    this.deps.afterRecord();
    return outcome!.value;
  }

  /**
   * Runs a `staged` operation: `act` may await (a token, a file) and must call `record` exactly once,
   * inside its final transaction or just before its result becomes visible. A failed record fails the act.
   */
  async performStaged<T>(
    name: OperationName,
    request: GateRequest,
    act: (access: Access, record: (details?: Record<string, unknown>) => void) => Promise<T> | T,
  ): Promise<T> {
    const { rule, access } = this.admit(name, request);
    if (rule.order !== 'staged') throw new Error(`${name} is not staged: call perform`);
    let recorded = false;
    const record = (details?: Record<string, unknown>): void => {
      if (recorded) throw new Error(`${name} recorded twice`);
      // Inside the act's transaction this is a savepoint; alone, its own transaction.
      this.deps.db.transaction(() => {
        this.append(name, rule, request, 'success', access, { ...request.details, ...details });
      })();
      recorded = true;
    };
    let value: T;
    try {
      value = await act(access, record);
    } catch (error) {
      // A failure after the row committed (a rename after the export) is still one row: it stands.
      if (recorded) throw error;
      throw this.failed(name, rule, request, access, error);
    }
    if (!recorded) throw new Error(`${name} finished without recording its audit row`);
    this.deps.afterRecord();
    return value;
  }

  /**
   * Records the session locking itself (idle timer, screen lock, token removed): no permission check, no
   * idle check (idleness is the reason), one row.
   */
  recordLock(reason: string): void {
    const name: OperationName = 'session.lock';
    const access: Access = { scopes: [], sql: { where: [], params: [] }, breakGlass: null };
    this.recordAlone(name, this.rule(name), {}, 'success', access, { reason });
  }

  /** Records a denial of `name` for `reason` (a wrong one-time code at login) and returns the error to throw. */
  deny(name: OperationName, reason: string, code: ErrorCode = ErrorCode.FORBIDDEN): VaultError {
    const rule = this.rule(name);
    const access: Access = { scopes: [], sql: { where: [], params: [] }, breakGlass: null };
    this.recordAlone(name, rule, {}, 'denied', access, { reason });
    return new VaultError(code, reason);
  }

  /** Session, then permission and scope. Every refusal is recorded before it is thrown. */
  private admit(name: OperationName, request: GateRequest): { rule: OperationRule; access: Access } {
    const rule = this.rule(name);
    const { session } = this.deps;
    if (session.locked) {
      // The keys are gone and the database is closed: there is no session to record against.
      throw new VaultError(
        ErrorCode.LOCKED,
        `the session is locked (${session.lockedBecause}); unlock again`,
      );
    }
    const none: Access = { scopes: [], sql: { where: [], params: [] }, breakGlass: null };
    const timeout = this.deps.idleTimeoutMs();
    if (session.idleMs(this.deps.now()) > timeout) {
      const minutes = Math.round(timeout / 60_000);
      const reason = `the session was idle for more than ${minutes} minutes and locked`;
      this.recordAlone(name, rule, request, 'denied', none, { reason: 'idle timeout' });
      session.lock(reason);
      this.deps.lock(reason);
      throw new VaultError(ErrorCode.LOCKED, `${reason}; unlock again`);
    }
    const refusal = this.deps.userRefusal();
    if (refusal !== undefined) {
      this.recordAlone(name, rule, request, 'denied', none, { reason: refusal });
      session.lock(refusal);
      this.deps.lock(refusal);
      throw new VaultError(ErrorCode.FORBIDDEN, refusal);
    }
    let access: Access;
    if (rule.permission === 'AUTHENTICATED') {
      access = { ...none, breakGlass: this.deps.grant('READ_TRACES')?.breakGlass ?? null };
    } else {
      const granted = this.deps.grant(rule.permission);
      if (granted === undefined) {
        const reason = `${session.user.name} may not ${name}: it needs ${rule.permission}`;
        this.recordAlone(name, rule, request, 'denied', none, { reason: `needs ${rule.permission}` });
        throw new VaultError(ErrorCode.FORBIDDEN, reason);
      }
      access = {
        scopes: granted.scopes,
        sql: this.deps.toSql(granted.scopes),
        breakGlass: granted.breakGlass,
      };
    }
    session.touch(this.deps.now());
    return { rule, access };
  }

  private rule(name: string): OperationRule {
    const rule = ruleOf(name);
    // A programming error, not a user's: an operation nobody registered never runs.
    if (!rule) throw new Error(`operation ${JSON.stringify(name)} is not registered with the gate`);
    return rule;
  }

  /** After a failed act or record: the act's transaction rolled back; one row says what happened. */
  private failed(
    name: OperationName,
    rule: OperationRule,
    request: GateRequest,
    access: Access,
    error: unknown,
  ): unknown {
    this.deps.afterRollback();
    if (error instanceof AuditWriteError) return error;
    const result: AuditResult = isVaultError(error, ErrorCode.FORBIDDEN) ? 'denied' : 'error';
    const code = isVaultError(error) ? error.code : 'UNEXPECTED';
    try {
      this.recordAlone(name, rule, request, result, access, { error: code });
    } catch (auditError) {
      return auditError;
    }
    return error;
  }

  private recordAlone(
    name: OperationName,
    rule: OperationRule,
    request: GateRequest,
    result: AuditResult,
    access: Access,
    details: Record<string, unknown>,
  ): void {
    this.deps.db
      .transaction(() => this.append(name, rule, request, result, access, { ...request.details, ...details }))
      .immediate();
    this.deps.afterRecord();
  }

  private append(
    name: OperationName,
    rule: OperationRule,
    request: GateRequest,
    result: AuditResult,
    access: Access,
    details: Record<string, unknown> | undefined,
  ): void {
    const { session } = this.deps;
    const target = request.target ?? '';
    const clear = target === '' || SAFE_TARGET.test(target);
    const sensitive = clear ? (request.sensitive ?? []) : [target, ...(request.sensitive ?? [])];
    try {
      this.deps.appendAudit({
        at: this.deps.now(),
        actor: session.user.name,
        action: rule.action,
        operation: name,
        target: clear ? target : '',
        result,
        origin: session.origin,
        details: clear ? (details ?? {}) : { ...details, target: 'not an identifier; kept as an HMAC' },
        macs: sensitive.length > 0 ? this.deps.macs(sensitive) : [],
        breakGlass: access.breakGlass,
        sessionId: session.id,
      });
    } catch (error) {
      throw new AuditWriteError(
        ErrorCode.STORAGE,
        `the audit log could not be written, so ${name} was refused and returned nothing`,
        { cause: error },
      );
    }
  }
}

function withTraces(
  details: Record<string, unknown>,
  traces: readonly string[] | undefined,
): Record<string, unknown> {
  return traces === undefined ? details : { ...details, count: traces.length, traces: [...traces] };
}
