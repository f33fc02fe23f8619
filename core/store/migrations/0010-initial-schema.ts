import type { SqliteDatabase } from '../../../native/sqlite.js';

/**
 * The first schema. Plaintext columns are only what queries need (design.md §4); people's identifiers
 * are keyed HMACs ("refs"); trace content is one AES-256-GCM ciphertext per trace.
 */
export function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE vault_meta (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    -- Each slot protects the same root key under one master (passphrase, token, keychain), like LUKS.
    CREATE TABLE key_slots (
      id           INTEGER PRIMARY KEY,
      kind         TEXT NOT NULL,
      label        TEXT NOT NULL,
      params       TEXT NOT NULL,
      wrapped_root BLOB NOT NULL,
      created_at   INTEGER NOT NULL
    ) STRICT;

    -- KEK versions, each wrapped (RFC 3394) under the root key.
    CREATE TABLE kek_versions (
      version     INTEGER PRIMARY KEY,
      wrapped_kek BLOB NOT NULL,
      created_at  INTEGER NOT NULL,
      retired_at  INTEGER
    ) STRICT;

    -- Vault-wide keys (index, audit, backup), wrapped under a KEK version.
    CREATE TABLE vault_keys (
      purpose     TEXT PRIMARY KEY,
      kek_version INTEGER NOT NULL REFERENCES kek_versions(version),
      wrapped_key BLOB NOT NULL
    ) STRICT;

    -- One key per data subject (or per user, for traces without a subject). Deleting a row crypto-shreds
    -- every trace encrypted under it.
    CREATE TABLE subject_keys (
      key_ref     BLOB PRIMARY KEY,
      kek_version INTEGER NOT NULL REFERENCES kek_versions(version),
      wrapped_key BLOB NOT NULL,
      created_at  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE traces (
      rowid          INTEGER PRIMARY KEY,
      id             TEXT NOT NULL UNIQUE,
      agent_id       TEXT NOT NULL,
      user_ref       BLOB NOT NULL,
      subject_ref    BLOB,
      key_ref        BLOB NOT NULL,
      started_at     INTEGER NOT NULL,
      ended_at       INTEGER,
      ingested_at    INTEGER NOT NULL,
      size_bytes     INTEGER NOT NULL,
      key_version    INTEGER NOT NULL,
      format_version INTEGER NOT NULL,
      region         TEXT,
      nonce          BLOB NOT NULL,
      body           BLOB NOT NULL
    ) STRICT;
    CREATE INDEX traces_by_start ON traces(started_at);
    CREATE INDEX traces_by_agent ON traces(agent_id, started_at);
    CREATE INDEX traces_by_user ON traces(user_ref, started_at);
    CREATE INDEX traces_by_subject ON traces(subject_ref, started_at) WHERE subject_ref IS NOT NULL;

    -- The blind index: each trace's distinct words as HMAC tokens in a contentless FTS5 table, so SQLite's
    -- inverted index does the work and no word is stored. rowid = traces.rowid. detail=none: phrases and
    -- snippets are resolved on decrypted candidates, so positions would only leak more.
    CREATE VIRTUAL TABLE trace_terms USING fts5(
      terms, content='', contentless_delete=1, detail=none, tokenize='ascii'
    );
  `);
}
