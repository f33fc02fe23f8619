import type { SqliteDatabase } from '../../native/sqlite.js';
import type { StoredSlot } from './key-provider.js';

/** Reads and writes the wrapped keys of design.md §3. Only wrapped (encrypted) keys ever reach SQL. */
export class KeyTables {
  constructor(private readonly db: SqliteDatabase) {}

  insertSlot(kind: string, label: string, params: Record<string, unknown>, wrappedRoot: Uint8Array): number {
    const result = this.db
      .prepare('INSERT INTO key_slots (kind, label, params, wrapped_root, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(kind, label, JSON.stringify(params), wrappedRoot, Date.now());
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

  insertKekVersion(version: number, wrappedKek: Uint8Array): void {
    this.db
      .prepare('INSERT INTO kek_versions (version, wrapped_kek, created_at) VALUES (?, ?, ?)')
      .run(version, wrappedKek, Date.now());
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
}
