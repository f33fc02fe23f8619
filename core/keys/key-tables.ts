import type { SqliteDatabase } from '../../native/sqlite.js';
import type { StoredSlot } from './key-provider.js';

/** Reads and writes the wrapped keys of design.md §3. Only wrapped (encrypted) keys ever reach SQL. */
export class KeyTables {
  constructor(private readonly db: SqliteDatabase) {}

  /** Stores a slot; `userId` is the user whom proving it authenticates (null only before users exist). */
  insertSlot(
    kind: string,
    label: string,
    params: Record<string, unknown>,
    wrappedRoot: Uint8Array,
    userId: number | null,
  ): number {
    const result = this.db
      .prepare(
        'INSERT INTO key_slots (kind, label, params, wrapped_root, created_at, user_id) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(kind, label, JSON.stringify(params), wrappedRoot, Date.now(), userId);
    return Number(result.lastInsertRowid);
  }

  slots(): StoredSlot[] {
    const rows = this.db
      .prepare('SELECT id, kind, label, params, wrapped_root FROM key_slots ORDER BY id')
      .all() as { id: number; kind: string; label: string; params: string; wrapped_root: Uint8Array }[];
    return rows.map((row) => ({
      id: row.id,
      kind: row.kind,
      label: row.label,
      params: JSON.parse(row.params) as Record<string, unknown>,
      wrappedRoot: row.wrapped_root,
    }));
  }

  insertKekVersion(version: number, wrappedKek: Uint8Array, createdAt = Date.now()): void {
    this.db
      .prepare('INSERT INTO kek_versions (version, wrapped_kek, created_at) VALUES (?, ?, ?)')
      .run(version, wrappedKek, createdAt);
  }

  kekVersions(): { version: number; wrappedKek: Uint8Array; retiredAt: number | null }[] {
    const rows = this.db
      .prepare('SELECT version, wrapped_kek, retired_at FROM kek_versions ORDER BY version')
      .all() as { version: number; wrapped_kek: Uint8Array; retired_at: number | null }[];
    return rows.map((r) => ({ version: r.version, wrappedKek: r.wrapped_kek, retiredAt: r.retired_at }));
  }

  insertVaultKey(purpose: string, kekVersion: number, wrappedKey: Uint8Array): void {
    this.db
      .prepare('INSERT INTO vault_keys (purpose, kek_version, wrapped_key) VALUES (?, ?, ?)')
      .run(purpose, kekVersion, wrappedKey);
  }

  vaultKey(purpose: string): { kekVersion: number; wrappedKey: Uint8Array } | undefined {
    const row = this.db
      .prepare('SELECT kek_version, wrapped_key FROM vault_keys WHERE purpose = ?')
      .get(purpose) as { kek_version: number; wrapped_key: Uint8Array } | undefined;
    return row && { kekVersion: row.kek_version, wrappedKey: row.wrapped_key };
  }

  subjectKey(keyRef: Uint8Array): { kekVersion: number; wrappedKey: Uint8Array } | undefined {
    const row = this.db
      .prepare('SELECT kek_version, wrapped_key FROM subject_keys WHERE key_ref = ?')
      .get(keyRef) as { kek_version: number; wrapped_key: Uint8Array } | undefined;
    return row && { kekVersion: row.kek_version, wrappedKey: row.wrapped_key };
  }

  insertSubjectKey(keyRef: Uint8Array, kekVersion: number, wrappedKey: Uint8Array): void {
    this.db
      .prepare('INSERT INTO subject_keys (key_ref, kek_version, wrapped_key, created_at) VALUES (?, ?, ?, ?)')
      .run(keyRef, kekVersion, wrappedKey, Date.now());
  }

  countSubjectKeys(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM subject_keys').get() as { n: number }).n;
  }

  replaceWrappedKek(version: number, wrappedKek: Uint8Array): void {
    this.db
      .prepare('UPDATE kek_versions SET wrapped_kek = ? WHERE version = ? AND retired_at IS NULL')
      .run(wrappedKek, version);
  }

  deleteAllSlots(): void {
    this.db.prepare('DELETE FROM key_slots').run();
  }

  deleteSlot(id: number): boolean {
    return this.db.prepare('DELETE FROM key_slots WHERE id = ?').run(id).changes === 1;
  }

  slotSummaries(): { id: number; kind: string; label: string; createdAt: number; user: string | null }[] {
    return this.db
      .prepare(
        `SELECT s.id, s.kind, s.label, s.created_at AS createdAt, u.name AS user
         FROM key_slots s LEFT JOIN users u ON u.id = s.user_id ORDER BY s.id`,
      )
      .all() as { id: number; kind: string; label: string; createdAt: number; user: string | null }[];
  }

  /** Ids of the slots that authenticate the user named `name`. */
  slotIdsOfUser(name: string): Set<number> {
    const ids = this.db
      .prepare('SELECT s.id FROM key_slots s JOIN users u ON u.id = s.user_id WHERE u.name = ?')
      .pluck()
      .all(name) as number[];
    return new Set(ids);
  }

  /** The user whose slot this is (null for a slot made before users existed). */
  slotUser(id: number): number | null | undefined {
    const row = this.db.prepare('SELECT user_id FROM key_slots WHERE id = ?').get(id) as
      { user_id: number | null } | undefined;
    return row?.user_id;
  }

  /** KEK versions with how many wrapped keys each still protects (for status and retirement). */
  kekUsage(): {
    version: number;
    createdAt: number;
    retiredAt: number | null;
    subjectKeys: number;
    vaultKeys: number;
  }[] {
    return this.db
      .prepare(
        `SELECT k.version, k.created_at AS createdAt, k.retired_at AS retiredAt,
           (SELECT count(*) FROM subject_keys s WHERE s.kek_version = k.version) AS subjectKeys,
           (SELECT count(*) FROM vault_keys v WHERE v.kek_version = k.version) AS vaultKeys
         FROM kek_versions k ORDER BY k.version`,
      )
      .all() as {
      version: number;
      createdAt: number;
      retiredAt: number | null;
      subjectKeys: number;
      vaultKeys: number;
    }[];
  }

  /** Up to `limit` subject keys still wrapped under a KEK older than `current`. */
  staleSubjectKeys(
    current: number,
    limit: number,
  ): { keyRef: Uint8Array; kekVersion: number; wrappedKey: Uint8Array }[] {
    return (
      this.db
        .prepare('SELECT key_ref, kek_version, wrapped_key FROM subject_keys WHERE kek_version < ? LIMIT ?')
        .all(current, limit) as { key_ref: Uint8Array; kek_version: number; wrapped_key: Uint8Array }[]
    ).map((r) => ({ keyRef: r.key_ref, kekVersion: r.kek_version, wrappedKey: r.wrapped_key }));
  }

  staleVaultKeys(current: number): { purpose: string; kekVersion: number; wrappedKey: Uint8Array }[] {
    return (
      this.db
        .prepare('SELECT purpose, kek_version, wrapped_key FROM vault_keys WHERE kek_version < ?')
        .all(current) as { purpose: string; kek_version: number; wrapped_key: Uint8Array }[]
    ).map((r) => ({ purpose: r.purpose, kekVersion: r.kek_version, wrappedKey: r.wrapped_key }));
  }

  /** Re-wraps one subject key, only if it is still under the version it was read with. */
  rewrapSubjectKey(keyRef: Uint8Array, fromVersion: number, toVersion: number, wrappedKey: Uint8Array): void {
    this.db
      .prepare(
        'UPDATE subject_keys SET kek_version = ?, wrapped_key = ? WHERE key_ref = ? AND kek_version = ?',
      )
      .run(toVersion, wrappedKey, keyRef, fromVersion);
  }

  rewrapVaultKey(purpose: string, fromVersion: number, toVersion: number, wrappedKey: Uint8Array): void {
    this.db
      .prepare('UPDATE vault_keys SET kek_version = ?, wrapped_key = ? WHERE purpose = ? AND kek_version = ?')
      .run(toVersion, wrappedKey, purpose, fromVersion);
  }

  /**
   * Retires a KEK version that protects nothing any more: its wrapped key is erased (secure_delete zeroes
   * the freed bytes), so even the root key cannot bring it back. The row stays, for the record.
   */
  retireKekVersion(version: number, at: number): void {
    this.db
      .prepare(
        "UPDATE kek_versions SET retired_at = ?, wrapped_kek = x'' WHERE version = ? AND retired_at IS NULL",
      )
      .run(at, version);
  }

  kekCreatedAt(version: number): number | undefined {
    const row = this.db.prepare('SELECT created_at AS t FROM kek_versions WHERE version = ?').get(version) as
      { t: number } | undefined;
    return row?.t;
  }
}
