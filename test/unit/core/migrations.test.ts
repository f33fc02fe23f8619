/**
 * Each migration, from the version before it: the schema it leaves, and the query plans the engine relies
 * on (a filter that stops using its index turns a millisecond listing into a full scan at 100k traces).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import { openDatabase, type SqliteDatabase } from '../../../native/sqlite.js';
import { migrate, schemaVersion } from '../../../core/store/migrate.js';
import { LATEST_SCHEMA_VERSION, MIGRATIONS, type Migration } from '../../../core/store/migrations/index.js';
import { tempDir } from '../../support/temp.js';

function freshDatabase(): SqliteDatabase {
  return openDatabase(join(tempDir('vault-migrations-'), 'vault.db'));
}

function tables(db: SqliteDatabase): string[] {
  return db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
}

function columns(db: SqliteDatabase, table: string): string[] {
  return (db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name);
}

function plan(db: SqliteDatabase, sql: string, ...params: unknown[]): string {
  const rows = db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[];
  return rows.map((r) => r.detail).join('\n');
}

/** Builds a database at the version just before `migration` (empty for the first one). */
function atVersionBefore(migration: Migration): SqliteDatabase {
  const db = freshDatabase();
  const index = MIGRATIONS.indexOf(migration);
  const previous = index === 0 ? 0 : MIGRATIONS[index - 1]!.version;
  migrate(db, previous);
  assert.equal(schemaVersion(db), previous, `database built at version ${previous}`);
  return db;
}

/** What each migration must leave behind; a new migration adds its entry here. */
const EXPECTED: Record<number, (db: SqliteDatabase) => void> = {
  10: (db) => {
    assert.deepEqual(
      tables(db).filter((t) => !t.startsWith('trace_terms_')),
      ['kek_versions', 'key_slots', 'subject_keys', 'trace_terms', 'traces', 'vault_keys', 'vault_meta'],
    );
    assert.deepEqual(columns(db, 'traces'), [
      'rowid',
      'id',
      'agent_id',
      'user_ref',
      'subject_ref',
      'key_ref',
      'started_at',
      'ended_at',
      'ingested_at',
      'size_bytes',
      'key_version',
      'format_version',
      'region',
      'nonce',
      'body',
    ]);
    assert.ok(!columns(db, 'traces').includes('user_id'), 'no plaintext user id column');
    assert.deepEqual(columns(db, 'subject_keys'), ['key_ref', 'kek_version', 'wrapped_key', 'created_at']);
  },
  20: (db) => {
    for (const table of [
      'users',
      'roles',
      'user_roles',
      'break_glass',
      'audit_log',
      'audit_checkpoints',
      'alerts',
    ]) {
      assert.ok(tables(db).includes(table), `table ${table}`);
    }
    assert.ok(columns(db, 'key_slots').includes('user_id'), 'key slots belong to users');
    assert.deepEqual(columns(db, 'audit_log'), [
      'seq',
      'at',
      'actor',
      'action',
      'operation',
      'target',
      'result',
      'origin',
      'details',
      'macs',
      'break_glass',
      'session_id',
      'prev_hash',
      'hash',
    ]);
    assert.deepEqual(columns(db, 'audit_checkpoints'), [
      'id',
      'tree_size',
      'root_hash',
      'signed_at',
      'public_point',
      'signature',
      'frontier',
    ]);
    assert.ok(!columns(db, 'break_glass').includes('reason'), 'the break-glass reason is stored sealed only');
    // An auditor's filters by actor and by time use their indexes, not a scan of the log.
    assert.match(
      plan(db, 'SELECT * FROM audit_log WHERE actor = ? AND at >= ? ORDER BY seq', 'admin', 0),
      /USING INDEX audit_by_actor/,
    );
    assert.match(
      plan(db, 'SELECT * FROM audit_log WHERE at >= ? AND at < ? ORDER BY seq', 0, 1),
      /USING INDEX audit_by_at/,
    );
  },
};

const LIST = (where: string) =>
  `SELECT t.id FROM traces t WHERE ${where} ORDER BY t.started_at DESC, t.rowid DESC LIMIT 50 OFFSET 0`;

describe('migrations', () => {
  it('has one expectation per migration, numbered in tens, in order', () => {
    assert.deepEqual(
      MIGRATIONS.map((m) => m.version),
      Object.keys(EXPECTED).map(Number),
      'every migration needs an entry in EXPECTED',
    );
    MIGRATIONS.forEach((m, i) => {
      assert.equal(m.version % 10, 0, `${m.name}: version ${m.version} is not a multiple of 10`);
      if (i > 0) assert.ok(m.version > MIGRATIONS[i - 1]!.version, `${m.name} is out of order`);
    });
    assert.equal(LATEST_SCHEMA_VERSION, MIGRATIONS[MIGRATIONS.length - 1]!.version);
  });

  for (const migration of MIGRATIONS) {
    it(`${migration.version} (${migration.name}) migrates from the previous version`, () => {
      const db = atVersionBefore(migration);
      assert.equal(migrate(db, migration.version), migration.version);
      assert.equal(schemaVersion(db), migration.version, 'user_version');
      EXPECTED[migration.version]!(db);
      db.close();
    });
  }

  it('leaves query plans that use the indexes the engine relies on', () => {
    const db = freshDatabase();
    migrate(db);
    assert.match(plan(db, LIST('t.agent_id = ?'), 'agent-1'), /USING INDEX traces_by_agent/);
    assert.match(plan(db, LIST('t.user_ref = ?'), Buffer.alloc(32)), /USING INDEX traces_by_user/);
    assert.match(plan(db, LIST('t.subject_ref = ?'), Buffer.alloc(32)), /USING INDEX traces_by_subject/);
    // Newest first on the agent index needs no sort: the index is already in that order.
    assert.doesNotMatch(plan(db, LIST('t.agent_id = ?'), 'agent-1'), /TEMP B-TREE/);
    const search = plan(
      db,
      `SELECT t.id FROM trace_terms f JOIN traces t ON t.rowid = f.rowid
       WHERE trace_terms MATCH ? AND t.agent_id = ? ORDER BY t.started_at DESC, t.rowid DESC`,
      '"0123456789abcdef0123456789abcdef"',
      'agent-1',
    );
    assert.match(
      search,
      /SCAN f VIRTUAL TABLE INDEX \d+:M/,
      'the FTS MATCH is answered by the virtual table',
    );
    assert.match(search, /SEARCH t USING INTEGER PRIMARY KEY/, 'traces are joined by rowid');
    db.close();
  });

  it('gives a vault from before users one admin user who owns its key slots', () => {
    const db = freshDatabase();
    migrate(db, 10);
    const slot = db.prepare(
      "INSERT INTO key_slots (kind, label, params, wrapped_root, created_at) VALUES ('passphrase', 'p', '{}', x'00', 0)",
    );
    slot.run();
    slot.run();
    migrate(db, 20);
    const users = db.prepare('SELECT id, name FROM users').all() as { id: number; name: string }[];
    assert.deepEqual(
      users.map((u) => u.name),
      ['admin'],
    );
    assert.deepEqual(db.prepare('SELECT role FROM user_roles WHERE user_id = ?').pluck().all(users[0]!.id), [
      'admin',
    ]);
    assert.deepEqual(db.prepare('SELECT DISTINCT user_id FROM key_slots').pluck().all(), [users[0]!.id]);
    db.close();
  });

  it('is idempotent: migrating a current database changes nothing', () => {
    const db = freshDatabase();
    migrate(db);
    const schema = () => db.prepare('SELECT type, name, sql FROM sqlite_schema ORDER BY name').all();
    const before = schema();
    assert.equal(migrate(db), LATEST_SCHEMA_VERSION);
    assert.equal(migrate(db), LATEST_SCHEMA_VERSION);
    assert.deepEqual(schema(), before);
    db.close();
  });

  it('refuses a database from a newer version with UNSUPPORTED_VERSION and leaves it alone', () => {
    const db = freshDatabase();
    migrate(db);
    db.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 10}`);
    assert.throws(
      () => migrate(db),
      (e: unknown) =>
        isVaultError(e, 'UNSUPPORTED_VERSION') && e.message.includes(String(LATEST_SCHEMA_VERSION + 10)),
    );
    assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION + 10);
    db.close();
  });

  it('leaves user_version and the schema unchanged when a migration throws', () => {
    const db = freshDatabase();
    migrate(db);
    const failing: Migration[] = [
      ...MIGRATIONS,
      {
        version: LATEST_SCHEMA_VERSION + 10,
        name: 'adds a table, then fails',
        up: (d) => {
          d.exec('CREATE TABLE half_done (x INTEGER)');
          throw new Error('disk on fire');
        },
      },
    ];
    assert.throws(() => migrate(db, LATEST_SCHEMA_VERSION + 10, failing), /disk on fire/);
    assert.equal(schemaVersion(db), LATEST_SCHEMA_VERSION, 'user_version unchanged');
    assert.ok(!tables(db).includes('half_done'), 'the failed migration was rolled back');
    db.close();
  });

  it('runs the migrations after the current version, up to the target, each bumping user_version', () => {
    const db = freshDatabase();
    migrate(db);
    const ran: number[] = [];
    const fake = (version: number): Migration => ({
      version,
      name: `fake ${version}`,
      up: (d) => {
        ran.push(version);
        // Each migration sees the version of the one before it.
        assert.equal(schemaVersion(d), ran.length === 1 ? LATEST_SCHEMA_VERSION : version - 10);
      },
    });
    const list = [...MIGRATIONS, fake(LATEST_SCHEMA_VERSION + 10), fake(LATEST_SCHEMA_VERSION + 20)];
    assert.equal(migrate(db, LATEST_SCHEMA_VERSION + 10, list), LATEST_SCHEMA_VERSION + 10);
    assert.deepEqual(ran, [LATEST_SCHEMA_VERSION + 10], 'stops at the target');
    db.close();
  });
});
