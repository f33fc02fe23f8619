import { createHmac } from 'node:crypto';
import { ErrorCode, VaultError } from '../../common/errors.js';
import { randomBytes, toHex, utf8, wipe } from '../crypto/bytes.js';
import { hkdfExpandSha256, hkdfSha256, hmacSha256 } from '../crypto/kdf.js';
import { KeyUnwrapError, unwrapKey, wrapKey } from '../crypto/key-wrap.js';
import { blindToken } from '../search/blind-token.js';
import { TermDictionary } from '../search/term-dictionary.js';
import { TermWorker } from '../search/term-worker-client.js';
import type { KeyTables } from './key-tables.js';

/** Vault-wide keys wrapped under a KEK (design.md §3). */
const VAULT_KEY_PURPOSES = ['index', 'audit', 'backup'] as const;
type VaultKeyPurpose = (typeof VAULT_KEY_PURPOSES)[number];

export type IdentityKind = 'user' | 'subject';

/** Identity refs kept in memory; past this the cache starts over. */
const IDENTITY_CACHE_LIMIT = 100_000;

/**
 * The unlocked key hierarchy, in memory only. Every key is a Uint8Array wiped by `lock()`; nothing here
 * is ever turned into a string, logged or written unwrapped.
 */
export class Keyring {
  private locked = false;
  private readonly termKey: Uint8Array;
  private readonly identityKey: Uint8Array;
  /** Word → token, HMAC'd once per word (design.md §8: cache tokens of frequent words). */
  private readonly terms: TermDictionary;
  private worker: TermWorker | undefined;
  private readonly identityRefs = new Map<string, Uint8Array>();
  private readonly subjectKeys = new Map<string, Uint8Array>();
  /** Subject keys inserted by a transaction that has not committed yet; dropped if it rolls back. */
  private readonly pendingSubjectKeys = new Set<string>();

  /** A copy of the root key, kept while unlocked to protect new key slots and new KEK versions. */
  private readonly rootKey: Uint8Array;

  private constructor(
    private readonly vaultId: string,
    private readonly tables: KeyTables,
    rootKey: Uint8Array,
    private readonly keks: Map<number, Uint8Array>,
    private currentKekVersion: number,
    private readonly vaultKeys: Record<VaultKeyPurpose, Uint8Array>,
  ) {
    // A copy, not a view: the caller wipes its own array, and Buffer#slice would share its memory.
    this.rootKey = new Uint8Array(rootKey);
    // Domain-separated subkeys of the index key: one for search terms, one for people's identifiers.
    this.termKey = hkdfSha256(vaultKeys.index, utf8(vaultId), utf8('vault-manager/index/terms/v1'), 32);
    this.identityKey = hkdfSha256(
      vaultKeys.index,
      utf8(vaultId),
      utf8('vault-manager/index/identities/v1'),
      32,
    );
    this.terms = new TermDictionary((word) => blindToken(this.termKey, word));
  }

  /** Makes a new hierarchy under `rootKey`: KEK v1 and the vault keys, all stored wrapped. */
  static create(vaultId: string, tables: KeyTables, rootKey: Uint8Array, createdAt = Date.now()): Keyring {
    const kek = randomBytes(32);
    tables.insertKekVersion(1, wrapKey(rootKey, kek), createdAt);
    const vaultKeys = {} as Record<VaultKeyPurpose, Uint8Array>;
    for (const purpose of VAULT_KEY_PURPOSES) {
      vaultKeys[purpose] = randomBytes(32);
      tables.insertVaultKey(purpose, 1, wrapKey(kek, vaultKeys[purpose]));
    }
    return new Keyring(vaultId, tables, rootKey, new Map([[1, kek]]), 1, vaultKeys);
  }

  /** Unwraps every KEK version and the vault keys in software: no token operation happens here. */
  static unlock(vaultId: string, tables: KeyTables, rootKey: Uint8Array): Keyring {
    const keks = new Map<number, Uint8Array>();
    try {
      for (const { version, wrappedKek, retiredAt } of tables.kekVersions()) {
        if (retiredAt === null) keks.set(version, unwrapKey(rootKey, wrappedKek));
      }
      const current = Math.max(...keks.keys());
      if (!Number.isFinite(current)) throw new VaultError(ErrorCode.INTEGRITY, 'the vault has no active KEK');
      const vaultKeys = {} as Record<VaultKeyPurpose, Uint8Array>;
      for (const purpose of VAULT_KEY_PURPOSES) {
        const stored = tables.vaultKey(purpose);
        const kek = stored && keks.get(stored.kekVersion);
        if (!stored || !kek)
          throw new VaultError(ErrorCode.INTEGRITY, `the vault's ${purpose} key is missing`);
        vaultKeys[purpose] = unwrapKey(kek, stored.wrappedKey);
      }
      return new Keyring(vaultId, tables, rootKey, keks, current, vaultKeys);
    } catch (error) {
      wipe(...keks.values());
      if (error instanceof KeyUnwrapError) {
        throw new VaultError(
          ErrorCode.INTEGRITY,
          'a stored key failed its integrity check; the key tables were altered',
        );
      }
      throw error;
    }
  }

  get kekVersion(): number {
    this.assertUnlocked();
    return this.currentKekVersion;
  }

  /**
   * Re-wraps every active KEK version under `newRoot` (call inside the transaction that replaces the key
   * slots), then, once committed, `adoptRoot` makes it the root key held in memory.
   */
  rewrapKeksUnder(newRoot: Uint8Array): void {
    this.assertUnlocked();
    for (const [version, kek] of this.keks) this.tables.replaceWrappedKek(version, wrapKey(newRoot, kek));
  }

  adoptRoot(newRoot: Uint8Array): void {
    this.assertUnlocked();
    this.rootKey.set(newRoot);
  }

  /** Stores an optional vault key (the device key's scalar), wrapped under the current KEK. */
  storeVaultKey(purpose: string, key: Uint8Array): void {
    this.assertUnlocked();
    this.tables.insertVaultKey(
      purpose,
      this.currentKekVersion,
      wrapKey(this.keks.get(this.currentKekVersion)!, key),
    );
  }

  /** An optional vault key, unwrapped (the caller wipes it); undefined when the vault has none. */
  loadVaultKey(purpose: string): Uint8Array | undefined {
    this.assertUnlocked();
    const stored = this.tables.vaultKey(purpose);
    if (!stored) return undefined;
    const kek = this.keks.get(stored.kekVersion);
    if (!kek)
      throw new VaultError(ErrorCode.INTEGRITY, `the vault's ${purpose} key is under an unknown KEK version`);
    try {
      return unwrapKey(kek, stored.wrappedKey);
    } catch {
      throw new VaultError(ErrorCode.INTEGRITY, `the vault's ${purpose} key failed its integrity check`);
    }
  }

  /** A copy of the root key for a provider to protect in a new slot. The caller wipes it. */
  rootKeyCopy(): Uint8Array {
    this.assertUnlocked();
    return new Uint8Array(this.rootKey);
  }

  /**
   * Makes the next KEK version and stores it wrapped under the root key. Call inside a transaction, and
   * `adoptKek` once it committed: only then does new data use it.
   */
  prepareKekVersion(createdAt: number): { version: number; kek: Uint8Array } {
    this.assertUnlocked();
    const version = Math.max(this.currentKekVersion, ...this.tables.kekUsage().map((k) => k.version)) + 1;
    const kek = randomBytes(32);
    this.tables.insertKekVersion(version, wrapKey(this.rootKey, kek), createdAt);
    return { version, kek };
  }

  adoptKek(prepared: { version: number; kek: Uint8Array }): void {
    this.assertUnlocked();
    this.keks.set(prepared.version, prepared.kek);
    this.currentKekVersion = prepared.version;
  }

  /**
   * Re-wraps up to `limit` subject keys (and any vault key) still under an older KEK with the current one.
   * No trace is re-encrypted: a trace's key derives from its subject key, which does not change. Call
   * inside a transaction; returns how many keys it moved (0 when none is left).
   */
  rewrapStale(limit: number): number {
    this.assertUnlocked();
    const current = this.currentKekVersion;
    const newKek = this.keks.get(current)!;
    let moved = 0;
    for (const stale of [
      ...this.tables.staleVaultKeys(current),
      ...this.tables.staleSubjectKeys(current, limit),
    ]) {
      const oldKek = this.keks.get(stale.kekVersion);
      if (!oldKek)
        throw new VaultError(
          ErrorCode.INTEGRITY,
          `a key is wrapped under unknown KEK version ${stale.kekVersion}`,
        );
      const key = unwrapKey(oldKek, stale.wrappedKey);
      try {
        if ('purpose' in stale)
          this.tables.rewrapVaultKey(stale.purpose, stale.kekVersion, current, wrapKey(newKek, key));
        else this.tables.rewrapSubjectKey(stale.keyRef, stale.kekVersion, current, wrapKey(newKek, key));
      } finally {
        wipe(key);
      }
      moved++;
    }
    return moved;
  }

  /** Retires every older KEK version that no key references any more, and wipes it from memory. */
  retireUnused(at: number): number[] {
    this.assertUnlocked();
    const retired: number[] = [];
    for (const usage of this.tables.kekUsage()) {
      if (usage.version >= this.currentKekVersion || usage.retiredAt !== null) continue;
      if (usage.subjectKeys + usage.vaultKeys > 0) continue;
      this.tables.retireKekVersion(usage.version, at);
      wipe(this.keks.get(usage.version));
      this.keks.delete(usage.version);
      retired.push(usage.version);
    }
    return retired;
  }

  /** The blind-index tokens of every distinct word of `text`, space-separated, as FTS5 takes them. */
  termTokens(text: string): string {
    this.assertUnlocked();
    return this.terms.tokensOf(text);
  }

  /**
   * A worker thread that computes the same terms as `termTokens` off the main thread (for pipelined
   * ingest). It gets a copy of the term key only, and is closed, its copy wiped, on lock.
   */
  termWorker(): TermWorker {
    this.assertUnlocked();
    this.worker ??= new TermWorker(this.termKey);
    return this.worker;
  }

  /** The blind-index token of one normalised word (for queries). */
  termToken(word: string): string {
    this.assertUnlocked();
    return this.terms.token(word);
  }

  /** A keyed HMAC standing in for a person's identifier in plaintext columns (design.md §4). */
  identityRef(kind: IdentityKind, value: string): Uint8Array {
    this.assertUnlocked();
    const input = `${kind}\0${value}`;
    // Traces come from few users and subjects; each ref is computed once (bounded, cleared on lock).
    let ref = this.identityRefs.get(input);
    if (ref === undefined) {
      ref = hmacSha256(this.identityKey, input);
      if (this.identityRefs.size >= IDENTITY_CACHE_LIMIT) this.identityRefs.clear();
      this.identityRefs.set(input, ref);
    }
    return ref;
  }

  /**
   * A stable id for a trace that arrived without one: a keyed HMAC of its source bytes, so importing the
   * same file twice stores it once, and the id reveals nothing of the content.
   */
  contentId(source: Uint8Array): string {
    this.assertUnlocked();
    const mac = createHmac('sha256', this.identityKey).update('trace-id\0').update(source).digest();
    return `tr-${mac.subarray(0, 16).toString('hex')}`;
  }

  /** HMAC under the audit key, for sensitive audit fields. */
  auditMac(value: string): Uint8Array {
    this.assertUnlocked();
    return hmacSha256(this.vaultKeys.audit, value);
  }

  /**
   * The data key of one trace: HKDF(subject key, trace id ‖ key version). Creates the subject key (wrapped
   * under the current KEK) the first time a subject is seen; call inside the write transaction and settle
   * with `commitPending()` or `discardPending()`.
   */
  traceKey(keyRef: Uint8Array, traceId: string, keyVersion: number, create: boolean): Uint8Array {
    const subjectKey = this.subjectKey(keyRef, create);
    // Subject keys are random 256-bit keys, so HKDF-Expand alone derives the per-trace key (RFC 5869 §3.3).
    return hkdfExpandSha256(
      subjectKey,
      utf8(`vault-manager/trace-dek/v1\0${this.vaultId}\0${traceId}\0${keyVersion}`),
    );
  }

  commitPending(): void {
    this.pendingSubjectKeys.clear();
  }

  discardPending(): void {
    for (const ref of this.pendingSubjectKeys) {
      wipe(this.subjectKeys.get(ref));
      this.subjectKeys.delete(ref);
    }
    this.pendingSubjectKeys.clear();
  }

  /**
   * Drops every cached subject key (they are read again from the database). Called when a transaction
   * that created subject keys rolled back after the write itself had settled them, so no cached key
   * outlives its row.
   */
  forgetSubjectKeys(): void {
    wipe(...this.subjectKeys.values());
    this.subjectKeys.clear();
    this.pendingSubjectKeys.clear();
  }

  get isLocked(): boolean {
    return this.locked;
  }

  /** Wipes every key held in memory. The keyring is useless afterwards; unlock again for a new one. */
  lock(): void {
    if (this.locked) return;
    this.locked = true;
    wipe(...this.keks.values(), ...Object.values(this.vaultKeys), ...this.subjectKeys.values());
    wipe(this.termKey, this.identityKey, this.rootKey);
    this.keks.clear();
    this.subjectKeys.clear();
    this.terms.clear();
    this.identityRefs.clear();
    this.worker?.close();
    this.worker = undefined;
  }

  private subjectKey(keyRef: Uint8Array, create: boolean): Uint8Array {
    this.assertUnlocked();
    const cacheKey = toHex(keyRef);
    const cached = this.subjectKeys.get(cacheKey);
    if (cached) return cached;
    const stored = this.tables.subjectKey(keyRef);
    let key: Uint8Array;
    if (stored) {
      const kek = this.keks.get(stored.kekVersion);
      if (!kek)
        throw new VaultError(
          ErrorCode.INTEGRITY,
          `a subject key is wrapped under unknown KEK version ${stored.kekVersion}`,
        );
      try {
        key = unwrapKey(kek, stored.wrappedKey);
      } catch {
        throw new VaultError(ErrorCode.INTEGRITY, 'a subject key failed its integrity check');
      }
    } else if (create) {
      key = randomBytes(32);
      const kek = this.keks.get(this.currentKekVersion);
      if (!kek) throw new VaultError(ErrorCode.LOCKED, 'the vault is locked');
      this.tables.insertSubjectKey(keyRef, this.currentKekVersion, wrapKey(kek, key));
      this.pendingSubjectKeys.add(cacheKey);
    } else {
      // The subject key is gone: the subject was erased (crypto-shredded). Its traces cannot be read.
      throw new VaultError(
        ErrorCode.NOT_FOUND,
        'the key for this trace no longer exists (its subject was erased)',
      );
    }
    this.subjectKeys.set(cacheKey, key);
    return key;
  }

  private assertUnlocked(): void {
    if (this.locked) throw new VaultError(ErrorCode.LOCKED, 'the vault is locked; unlock it first');
  }
}
