import type { SqliteDatabase } from '../../../native/sqlite.js';

/**
 * Users, roles, break-glass grants, the audit log and its checkpoints, and alerts (design.md §5). A vault
 * made before users existed gets one user, `admin`, who owns its key slots and holds the admin role.
 */
export function up(db: SqliteDatabase): void {
  db.exec(`
    CREATE TABLE users (
      id             INTEGER PRIMARY KEY,
      name           TEXT NOT NULL UNIQUE,
      created_at     INTEGER NOT NULL,
      disabled_at    INTEGER,
      -- The TOTP secret, AES-256-GCM under the vault's users key; NULL when the user has none.
      totp_sealed    BLOB,
      -- The last TOTP time step accepted, so one code opens one session (RFC 6238 §5.2).
      totp_last_step INTEGER
    ) STRICT;

    -- Roles defined by policy; the default roles live in code and cannot be redefined.
    CREATE TABLE roles (
      name       TEXT PRIMARY KEY,
      definition TEXT NOT NULL,
      defined_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE user_roles (
      user_id INTEGER NOT NULL REFERENCES users(id),
      role    TEXT NOT NULL,
      PRIMARY KEY (user_id, role)
    ) STRICT, WITHOUT ROWID;

    -- Whose key slot this is: proving it opens a session for that user.
    ALTER TABLE key_slots ADD COLUMN user_id INTEGER REFERENCES users(id);

    CREATE TABLE break_glass (
      id            INTEGER PRIMARY KEY,
      user_id       INTEGER NOT NULL REFERENCES users(id),
      started_at    INTEGER NOT NULL,
      ends_at       INTEGER NOT NULL,
      -- The reason, AES-256-GCM under the users key: free text may name a patient.
      reason_sealed BLOB NOT NULL
    ) STRICT;
    CREATE INDEX break_glass_by_user ON break_glass(user_id, ends_at);

    -- Each row links to the one before (prev_hash) and hashes itself with that link (hash). Sensitive
    -- values appear only as HMACs under the audit key (macs).
    CREATE TABLE audit_log (
      seq         INTEGER PRIMARY KEY,
      at          INTEGER NOT NULL,
      actor       TEXT NOT NULL,
      action      TEXT NOT NULL,
      operation   TEXT NOT NULL,
      target      TEXT NOT NULL,
      result      TEXT NOT NULL,
      origin      TEXT NOT NULL,
      details     TEXT NOT NULL,
      macs        TEXT NOT NULL,
      break_glass INTEGER,
      session_id  TEXT NOT NULL,
      prev_hash   BLOB NOT NULL,
      hash        BLOB NOT NULL
    ) STRICT;
    CREATE INDEX audit_by_actor ON audit_log(actor, at);
    CREATE INDEX audit_by_at ON audit_log(at);

    -- Signed RFC 6962 tree heads over the first tree_size rows' hashes. frontier holds the tree's compact
    -- range at that size, so the next checkpoint reads only the rows after it.
    CREATE TABLE audit_checkpoints (
      id           INTEGER PRIMARY KEY,
      tree_size    INTEGER NOT NULL,
      root_hash    BLOB NOT NULL,
      signed_at    INTEGER NOT NULL,
      public_point BLOB NOT NULL,
      signature    BLOB NOT NULL,
      frontier     TEXT NOT NULL
    ) STRICT;

    CREATE TABLE alerts (
      id              INTEGER PRIMARY KEY,
      at              INTEGER NOT NULL,
      kind            TEXT NOT NULL,
      severity        TEXT NOT NULL,
      message         TEXT NOT NULL,
      details         TEXT NOT NULL,
      acknowledged_at INTEGER
    ) STRICT;
  `);
  const slots = (db.prepare('SELECT count(*) AS n FROM key_slots').get() as { n: number }).n;
  if (slots > 0) {
    const now = Date.now();
    const admin = db.prepare('INSERT INTO users (name, created_at) VALUES (?, ?)').run('admin', now);
    db.prepare('INSERT INTO user_roles (user_id, role) VALUES (?, ?)').run(admin.lastInsertRowid, 'admin');
    db.prepare('UPDATE key_slots SET user_id = ?').run(admin.lastInsertRowid);
  }
}
