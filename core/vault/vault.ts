import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { ErrorCode, VaultError, isVaultError } from '../../common/errors.js';
import type { SearchRequest, SearchResult } from '../../common/search.js';
import {
  TraceInputSchema,
  describeIssues,
  type Trace,
  type TraceInput,
  type TraceSummary,
} from '../../common/trace.js';
import type { SqliteDatabase } from '../../native/sqlite.js';
import { fromHex, randomBytes, toHex, wipe } from '../crypto/bytes.js';
import { SoftwareDeviceKey, type DeviceKey } from '../keys/device-key.js';
import {
  DEFAULT_MAX_TRACE_BYTES,
  importFile,
  type ImportOptions,
  type ImportReport,
} from '../ingest/importer.js';
import { BatchPipeline, type PipelineSink } from '../ingest/batch-pipeline.js';
import type { KeyProvider } from '../keys/key-provider.js';
import { KeyTables } from '../keys/key-tables.js';
import {
  DEFAULT_KEY_ROTATION_DAYS,
  KeyRotation,
  type KeyStatus,
  type RewrapProgress,
} from '../keys/key-rotation.js';
import { Keyring } from '../keys/keyring.js';
import { TraceSearch } from '../search/search.js';

import type { ScopedFilter, SqlCondition } from '../store/trace-filter-sql.js';
import { TraceStore, type Page, type PutResult } from '../store/trace-store.js';
import { writeExportFile, type ExportReport } from './export-file.js';
import { databasePath } from './home.js';
import { VaultMeta } from './meta.js';
import { openStorage } from './storage.js';

export interface OpenOptions {
  /** The clock for key ages and rotation; tests pass a controllable one. */
  now?: () => number;
  /** Rotate the KEK when policy says it is due (default true). */
  autoRotate?: boolean;
  /** Try only the key slots of this user (each passphrase slot tried costs a key derivation). */
  user?: string;
}

export interface CreateOptions extends OpenOptions {
  /** Traces larger than this many bytes are refused. */
  maxTraceBytes?: number;
  /** The first user, who owns the first key slot and holds the admin role (default `admin`). */
  owner?: string;
}

/** Where the device key's private scalar is kept, wrapped, among the vault keys. */
const DEVICE_KEY_PURPOSE = 'device';

export interface KeySlotInfo {
  id: number;
  kind: string;
  label: string;
  createdAt: string;
  /** The user whom proving this slot authenticates. */
  user: string | null;
}

/**
 * The engine's facade: one unlocked vault. Every caller (command line, desktop app, local API) goes
 * through these methods; keys stay inside.
 */
export class Vault {
  private readonly store: TraceStore;
  private readonly searcher: TraceSearch;
  private readonly tables: KeyTables;
  private readonly rotation: KeyRotation;
  private background: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly db: SqliteDatabase,
    readonly vaultId: string,
    private readonly keyring: Keyring,
    readonly maxTraceBytes: number,
    options: OpenOptions,
    /** The master that unlocked this vault; asked for the device key when it can hold one. */
    private readonly master: KeyProvider,
    /** The key slot whose secret unlocked this vault: it says which user is at the keyboard. */
    readonly unlockedSlotId: number,
  ) {
    this.store = new TraceStore(db, vaultId, keyring);
    this.searcher = new TraceSearch(this.store, keyring);
    this.tables = new KeyTables(db);
    const rotationDays = Number(new VaultMeta(db).get('key_rotation_days') ?? DEFAULT_KEY_ROTATION_DAYS);
    this.rotation = new KeyRotation(db, keyring, this.tables, rotationDays, options.now ?? Date.now);
    const status = this.rotation.status();
    const rotated = options.autoRotate !== false && status.rotationDue;
    if (rotated) this.rotation.rotate();
    // A rotation due now, or one whose re-wrap was cut short by an earlier close, finishes in the background.
    if (rotated || status.pendingRewrap > 0) this.startRewrap();
  }

  /** Creates a vault in `home` with one key slot from `provider`. Refuses a home that already has one. */
  static async create(home: string, provider: KeyProvider, options: CreateOptions = {}): Promise<Vault> {
    const maxTraceBytes = options.maxTraceBytes ?? DEFAULT_MAX_TRACE_BYTES;
    if (!Number.isInteger(maxTraceBytes) || maxTraceBytes < 1024) {
      throw new VaultError(
        ErrorCode.BAD_INPUT,
        `the trace size limit must be a whole number of bytes, at least 1024`,
      );
    }
    if (existsSync(databasePath(home))) {
      throw new VaultError(ErrorCode.ALREADY_INITIALIZED, `a vault already exists in ${home}`);
    }
    mkdirSync(home, { recursive: true, mode: 0o700 });
    const db = openStorage(databasePath(home));
    const vaultId = randomUUID();
    const rootKey = randomBytes(32);
    try {
      const slot = await provider.protectRootKey(rootKey, { vaultId });
      const tables = new KeyTables(db);
      const keyring = db
        .transaction(() => {
          const meta = new VaultMeta(db);
          meta.set('vault_id', vaultId);
          meta.set('created_at', new Date().toISOString());
          meta.set('max_trace_bytes', String(maxTraceBytes));
          const owner = db
            .prepare('INSERT INTO users (name, created_at) VALUES (?, ?)')
            .run(options.owner ?? 'admin', Date.now()).lastInsertRowid;
          db.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)').run(owner, 'admin');
          const slotId = tables.insertSlot(
            provider.kind,
            provider.label,
            slot.params,
            slot.wrappedRoot,
            Number(owner),
          );
          return { slotId, keyring: Keyring.create(vaultId, tables, rootKey, (options.now ?? Date.now)()) };
        })
        .immediate();
      return new Vault(db, vaultId, keyring.keyring, maxTraceBytes, options, provider, keyring.slotId);
    } catch (error) {
      db.close();
      // Nothing was ever stored in it: remove it, so that `init` can simply be run again.
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${databasePath(home)}${suffix}`, { force: true });
      throw error;
    } finally {
      wipe(rootKey);
    }
  }

  /** Opens and unlocks the vault in `home`: one master-key operation, then software unwrapping. */
  static async open(home: string, provider: KeyProvider, options: OpenOptions = {}): Promise<Vault> {
    if (!existsSync(databasePath(home))) {
      throw new VaultError(
        ErrorCode.NOT_INITIALIZED,
        `no vault in ${home}; run \`vault-manager init\` first`,
      );
    }
    const db = openStorage(databasePath(home));
    try {
      const meta = new VaultMeta(db);
      const vaultId = meta.get('vault_id');
      if (!vaultId)
        throw new VaultError(ErrorCode.NOT_INITIALIZED, `the vault in ${home} was never fully created`);
      const tables = new KeyTables(db);
      const owned = options.user === undefined ? undefined : tables.slotIdsOfUser(options.user);
      const slots = tables
        .slots()
        .filter((s) => s.kind === provider.kind && (owned === undefined || owned.has(s.id)));
      if (slots.length === 0) {
        const whose = options.user === undefined ? '' : ` for user ${JSON.stringify(options.user)}`;
        throw new VaultError(
          ErrorCode.WRONG_SECRET,
          `the vault in ${home} has no ${provider.kind} key slot${whose}`,
        );
      }
      let lastError: unknown;
      for (const slot of slots) {
        let rootKey: Uint8Array;
        try {
          rootKey = await provider.recoverRootKey(slot, { vaultId });
        } catch (error) {
          lastError = error;
          // Another slot of the same kind may take this secret (two passphrases), but a token that refused
          // its PIN, or is missing, must not be asked again: each try spends one of the card's PIN tries.
          if (!isVaultError(error, ErrorCode.WRONG_SECRET) || spendsPinTries(error)) break;
          continue;
        }
        try {
          const keyring = Keyring.unlock(vaultId, tables, rootKey);
          const vault = new Vault(
            db,
            vaultId,
            keyring,
            Number(meta.get('max_trace_bytes') ?? DEFAULT_MAX_TRACE_BYTES),
            options,
            provider,
            slot.id,
          );
          // A token pulled out (or a lost session) locks the vault: the provider says when.
          vault.stopWatching =
            provider.watch?.(slot, () => vault.lock('the key token was removed')) ?? (() => {});
          return vault;
        } finally {
          wipe(rootKey);
        }
      }
      throw lastError;
    } catch (error) {
      db.close();
      throw error;
    }
  }

  /** Validates and stores traces in one transaction; acknowledged (returned) only once durable. */
  put(inputs: readonly TraceInput[]): PutResult {
    this.assertOpen();
    return this.store.putBatch(this.validate(inputs));
  }

  /**
   * Stores many batches, pipelined: the blind terms of each batch are computed on the term worker while
   * the batch before it is written. Each batch is one transaction; `onCommitted` acknowledges it once it
   * is durable. A bad batch stops the run; the batches acknowledged before it stay stored.
   */
  async putBatches(
    batches: Iterable<readonly TraceInput[]> | AsyncIterable<readonly TraceInput[]>,
    onCommitted?: (result: PutResult) => void,
  ): Promise<PutResult> {
    this.assertOpen();
    const total: PutResult = { stored: [], duplicates: [] };
    const pipeline = new BatchPipeline(this.pipelineSink(), (result) => {
      total.stored.push(...result.stored);
      total.duplicates.push(...result.duplicates);
      onCommitted?.(result);
    });
    for await (const inputs of batches) await pipeline.push(this.validate(inputs));
    await pipeline.drain();
    return total;
  }

  /** Checks size and schema of each input and gives it its id. Refuses the whole batch on the first bad one. */
  private validate(inputs: readonly TraceInput[]): Trace[] {
    return inputs.map((input, index) => {
      const json = JSON.stringify(input);
      const size = Buffer.byteLength(json);
      if (size > this.maxTraceBytes) {
        throw new VaultError(
          ErrorCode.TOO_LARGE,
          `trace ${index}: ${size} bytes, over the limit of ${this.maxTraceBytes}`,
        );
      }
      const parsed = TraceInputSchema.safeParse(input);
      if (!parsed.success) {
        throw new VaultError(ErrorCode.BAD_INPUT, `trace ${index}: ${describeIssues(parsed.error)}`);
      }
      return { ...parsed.data, id: parsed.data.id ?? this.keyring.contentId(Buffer.from(json)) };
    });
  }

  private pipelineSink(): PipelineSink {
    return {
      putBatch: (traces, terms) => this.store.putBatch(traces, terms),
      blindTermsAsync: (traces) => this.store.blindTermsAsync(traces),
    };
  }

  /**
   * Imports a file in batches. `guard` wraps each batch's write (the access gate checks and records it, in
   * the batch's transaction).
   */
  async importFile(
    file: string,
    options: ImportOptions = {},
    guard?: (traces: readonly Trace[], write: () => PutResult) => PutResult,
  ): Promise<ImportReport> {
    this.assertOpen();
    const sink = this.pipelineSink();
    return importFile(
      {
        ...sink,
        ...(guard
          ? {
              putBatch: (traces: readonly Trace[], terms: readonly string[]) =>
                guard(traces, () => sink.putBatch(traces, terms)),
            }
          : {}),
        idFor: (source) => this.keyring.contentId(source),
      },
      file,
      // An import may lower the vault's size limit, never raise it.
      { ...options, maxTraceBytes: Math.min(options.maxTraceBytes ?? Infinity, this.maxTraceBytes) },
    );
  }

  get(id: string): Trace {
    this.assertOpen();
    return this.store.get(id);
  }

  list(filter: ScopedFilter = {}, page: Page = { limit: 50, offset: 0 }): TraceSummary[] {
    this.assertOpen();
    return this.store.list(filter, page);
  }

  count(filter: ScopedFilter = {}): number {
    this.assertOpen();
    return this.store.count(filter);
  }

  search(request: SearchRequest & ScopedFilter): SearchResult {
    this.assertOpen();
    return this.searcher.search(request);
  }

  /** The index half of search alone (ids of one page, nothing decrypted): what the benchmark compares. */
  searchIds(request: SearchRequest): string[] {
    this.assertOpen();
    return this.searcher.ids(request);
  }

  getMany(ids: readonly string[]): Trace[] {
    this.assertOpen();
    return this.store.getMany(ids);
  }

  delete(id: string): void {
    this.assertOpen();
    if (!this.store.delete(id))
      throw new VaultError(ErrorCode.NOT_FOUND, `no trace with id ${JSON.stringify(id)}`);
  }

  exportTo(
    output: string,
    filter: ScopedFilter = {},
    options: {
      overwrite?: boolean;
      onTrace?: (count: number, total: number) => void;
      beforePublish?: (report: ExportReport) => void;
    } = {},
  ): ExportReport {
    this.assertOpen();
    const total = this.store.count(filter);
    return writeExportFile(output, this.store.iterate(filter), {
      overwrite: options.overwrite ?? false,
      onTrace: (count) => options.onTrace?.(count, total),
      ...(options.beforePublish ? { beforePublish: options.beforePublish } : {}),
    });
  }

  /** The key slots that can unlock this vault (kind and label; never parameters or wrapped keys). */
  listSlots(): KeySlotInfo[] {
    this.assertOpen();
    return this.tables.slotSummaries().map((s) => ({
      id: s.id,
      kind: s.kind,
      label: s.label,
      createdAt: new Date(s.createdAt).toISOString(),
      user: s.user,
    }));
  }

  /** The user who owns the slot that unlocked this vault. */
  get unlockingUserId(): number | null {
    return this.tables.slotUser(this.unlockedSlotId) ?? null;
  }

  /**
   * Protects the root key under another master (a second token, a recovery key, …); returns the slot id.
   * `owner` runs inside the slot's transaction and names the user it authenticates (by default the one who
   * unlocked); `beforeCommit` runs last in that transaction (the access gate writes its audit row there).
   */
  async addSlot(
    provider: KeyProvider,
    options: { owner?: () => number | null; beforeCommit?: () => void } = {},
  ): Promise<number> {
    this.assertOpen();
    const rootKey = this.keyring.rootKeyCopy();
    try {
      const slot = await provider.protectRootKey(rootKey, { vaultId: this.vaultId });
      this.assertOpen();
      return this.db
        .transaction(() => {
          const owner = options.owner ? options.owner() : this.unlockingUserId;
          const id = this.tables.insertSlot(
            provider.kind,
            provider.label,
            slot.params,
            slot.wrappedRoot,
            owner,
          );
          options.beforeCommit?.();
          return id;
        })
        .immediate();
    } finally {
      wipe(rootKey);
    }
  }

  /**
   * Moves the vault to a new master (a new token key, or from a passphrase to a token): a fresh root key
   * is protected by `provider` alone, and every KEK version is re-wrapped under it. Every other slot is
   * removed, since it protects the old root key: the old masters no longer open this vault (a copy of the
   * database taken before still holds the old slots). Enrol other masters again with `addSlot`. Returns
   * the new slot's id.
   */
  async rotateMaster(provider: KeyProvider, beforeCommit?: () => void): Promise<number> {
    this.assertOpen();
    const owner = this.unlockingUserId;
    const newRoot = randomBytes(32);
    try {
      const slot = await provider.protectRootKey(newRoot, { vaultId: this.vaultId });
      this.assertOpen();
      const id = this.db
        .transaction(() => {
          this.keyring.rewrapKeksUnder(newRoot);
          this.tables.deleteAllSlots();
          const id = this.tables.insertSlot(
            provider.kind,
            provider.label,
            slot.params,
            slot.wrappedRoot,
            owner,
          );
          beforeCommit?.();
          return id;
        })
        .immediate();
      this.keyring.adoptRoot(newRoot);
      return id;
    } finally {
      wipe(newRoot);
    }
  }

  /** Removes a key slot. The last slot is never removed: without one the vault could not be opened again. */
  removeSlot(id: number): void {
    this.assertOpen();
    this.db
      .transaction(() => {
        const slots = this.tables.slotSummaries();
        if (!slots.some((s) => s.id === id)) {
          throw new VaultError(ErrorCode.NOT_FOUND, `no key slot with id ${id}`);
        }
        if (slots.length === 1) {
          throw new VaultError(
            ErrorCode.BAD_INPUT,
            `key slot ${id} is the vault's last one; add another slot before removing it`,
          );
        }
        this.tables.deleteSlot(id);
      })
      .immediate();
  }

  /**
   * Rotates the KEK: a new version protects new data at once, then every subject key is re-wrapped under
   * it (resumably, in small transactions) and the old version retires. Returns the new version.
   */
  async rotateKeys(onProgress?: (progress: RewrapProgress) => void): Promise<number> {
    const version = this.beginKeyRotation();
    await this.finishRewrap(onProgress);
    return version;
  }

  /**
   * The first, synchronous half of `rotateKeys`: a new KEK version protects new data from here on (the
   * access gate runs it in the transaction of its audit row). Returns the new version.
   */
  beginKeyRotation(): number {
    this.assertOpen();
    // A background re-wrap of an earlier rotation may still run; both move whatever is older than the
    // current version, row by row.
    return this.rotation.rotate();
  }

  /** The second half: every subject key re-wrapped under the current KEK, resumably; old versions retire. */
  async finishRewrap(onProgress?: (progress: RewrapProgress) => void): Promise<void> {
    this.assertOpen();
    await this.rotation.rewrapAll(onProgress, () => this.closed);
  }

  /**
   * The device key (design.md §3), made on first use: on the unlocking token when it can generate and
   * sign with EC P-256, else software-held (its scalar wrapped under the KEK). A token-held key signs only
   * while that token unlocks the vault; otherwise this fails with UNAVAILABLE.
   */
  async deviceKey(): Promise<DeviceKey> {
    this.assertOpen();
    const meta = new VaultMeta(this.db);
    const kind = meta.get('device_key_kind') ?? (meta.get('device_public_point') ? 'software' : undefined);
    if (kind === 'token') return this.tokenDeviceKey(meta);
    if (kind === undefined) {
      // First use: on the unlocking token when it can hold one, else in software.
      const held = await this.master.deviceKey?.(true);
      this.assertOpen();
      if (held) {
        this.db
          .transaction(() => {
            meta.set('device_key_kind', 'token');
            meta.set('device_key_uri', held.uri);
            meta.set('device_public_point', toHex(held.key.publicPoint));
          })
          .immediate();
        return held.key;
      }
    }
    return this.softwareDeviceKey(meta);
  }

  /** The device key recorded as held by a token: only that token, unlocking this vault, can sign. */
  private async tokenDeviceKey(meta: VaultMeta): Promise<DeviceKey> {
    const uri = meta.get('device_key_uri');
    const held = await this.master.deviceKey?.(false);
    if (!held || held.uri !== uri || toHex(held.key.publicPoint) !== meta.get('device_public_point')) {
      throw new VaultError(
        ErrorCode.UNAVAILABLE,
        `the device key is on the token ${uri ?? '(unknown)'}: unlock with that token to sign`,
      );
    }
    return held.key;
  }

  /** The software device key: its scalar wrapped under the KEK, its public point beside it. */
  private softwareDeviceKey(meta: VaultMeta): DeviceKey {
    const point = meta.get('device_public_point');
    const scalar = this.keyring.loadVaultKey(DEVICE_KEY_PURPOSE);
    try {
      if (point !== undefined && scalar !== undefined)
        return SoftwareDeviceKey.fromScalar(scalar, fromHex(point));
      if (point !== undefined || scalar !== undefined) {
        throw new VaultError(
          ErrorCode.INTEGRITY,
          'the device key is half there: its public or private part is missing',
        );
      }
    } finally {
      wipe(scalar);
    }
    const { key, scalar: fresh } = SoftwareDeviceKey.generate();
    try {
      this.db
        .transaction(() => {
          this.keyring.storeVaultKey(DEVICE_KEY_PURPOSE, fresh);
          meta.set('device_key_kind', 'software');
          meta.set('device_public_point', toHex(key.publicPoint));
        })
        .immediate();
      return key;
    } finally {
      wipe(fresh);
    }
  }

  /** The keyed HMAC standing for a person's identifier in the traces table (scopes compare with it). */
  identityRef(kind: 'user' | 'subject', value: string): Uint8Array {
    this.assertOpen();
    return this.keyring.identityRef(kind, value);
  }

  /** HMAC under the audit key, for a sensitive value an audit row names (design.md §5). */
  auditMac(value: string): Uint8Array {
    this.assertOpen();
    return this.keyring.auditMac(value);
  }

  /**
   * A 32-byte vault key for sealing small secrets (TOTP seeds, break-glass reasons), made on first use and
   * wrapped under the KEK like the others. The caller wipes the copy it gets.
   */
  secretKey(purpose: 'users'): Uint8Array {
    this.assertOpen();
    const stored = this.keyring.loadVaultKey(purpose);
    if (stored) return stored;
    const fresh = randomBytes(32);
    this.db.transaction(() => this.keyring.storeVaultKey(purpose, fresh)).immediate();
    return fresh;
  }

  /** Whether trace `id` lies inside a scope (the access gate's check of a single target). */
  scopeOf(id: string, scope: SqlCondition): 'in' | 'out' | 'missing' {
    this.assertOpen();
    return this.store.scopeOf(id, scope);
  }

  /**
   * The vault's database, for the access layer's tables (users, roles, audit) and its transactions. Only
   * core/ reaches it: the command line and the app go through the session.
   */
  get database(): SqliteDatabase {
    this.assertOpen();
    return this.db;
  }

  /** After a rolled-back write: cached subject keys are dropped, so none outlives its row. */
  forgetCachedKeys(): void {
    if (!this.closed) this.keyring.forgetSubjectKeys();
  }

  keyStatus(): KeyStatus {
    this.assertOpen();
    return this.rotation.status();
  }

  /** Resolves when background key work (a re-wrap after rotation) has finished or stopped. */
  whenIdle(): Promise<unknown> {
    return this.background;
  }

  private startRewrap(): void {
    this.background = this.rotation
      .rewrapAll(undefined, () => this.closed)
      .catch((error: unknown) => {
        // Resumable: the next open picks the re-wrap up again. The error is kept for whoever awaits.
        this.rewrapError = error;
      });
  }

  /** The last error of background re-wrapping, if any (reported by `keys status`). */
  rewrapError: unknown = undefined;

  /** Wipes every key from memory and closes the database. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stopWatching();
    this.keyring.lock();
    this.db.close();
  }

  /**
   * Locks at once: every key is wiped and the database closed; any later call fails with LOCKED and
   * `reason`. To go on, open the vault again (which unlocks it).
   */
  lock(reason: string): void {
    if (this.closed) return;
    this.lockReason = reason;
    this.close();
  }

  get isLocked(): boolean {
    return this.closed;
  }

  private stopWatching: () => void = () => {};
  private lockReason: string | undefined;

  private assertOpen(): void {
    if (this.closed || this.keyring.isLocked) {
      throw new VaultError(
        ErrorCode.LOCKED,
        `the vault is locked (${this.lockReason ?? 'closed'}); unlock it again`,
      );
    }
  }
}

/** A wrong PIN (or a locked one) is reported with the token's own error as its cause. */
function spendsPinTries(error: VaultError): boolean {
  const cause = error.cause;
  return cause instanceof Error && (cause.name === 'WrongPinError' || cause.name === 'PinLockedError');
}
