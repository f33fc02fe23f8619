/**
 * Durability settings of design.md §4 on the connections the engine opens, and batch atomicity: a batch
 * that fails midway leaves nothing of itself, neither rows, index terms, nor subject keys.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TraceInput } from '../../../common/trace.js';
import { databasePath } from '../../../core/vault/home.js';
import { openStorage } from '../../../core/vault/storage.js';
import { Vault } from '../../../core/vault/vault.js';
import { openDatabase, type SqliteDatabase } from '../../../native/sqlite.js';
import { tempDir } from '../../support/temp.js';
import { newVault, testProvider } from './vault-fixture.js';

function pragmas(db: SqliteDatabase) {
  return {
    synchronous: db.pragma('synchronous', { simple: true }) as number,
    journal_mode: db.pragma('journal_mode', { simple: true }) as string,
    foreign_keys: db.pragma('foreign_keys', { simple: true }) as number,
  };
}

const DURABLE = { synchronous: 2, journal_mode: 'wal', foreign_keys: 1 };

function trace(n: number, overrides: Partial<TraceInput> = {}): TraceInput {
  return {
    id: `dur-${n}`,
    agent_id: 'agent-a',
    user_id: `user-${n}`,
    subject_id: `patient-${n}`,
    started_at: new Date(Date.UTC(2026, 5, 1, 0, n)).toISOString(),
    messages: [{ role: 'user', content: `marker${n} warfarin` }],
    ...overrides,
  };
}

/**
 * A row the database refuses, provoked from outside the engine: a trigger that aborts the insert of any
 * trace from agent "poison", as a constraint would.
 */
function poison(home: string): () => void {
  const db = openDatabase(databasePath(home));
  db.exec(`CREATE TRIGGER poison BEFORE INSERT ON traces WHEN NEW.agent_id = 'poison'
           BEGIN SELECT RAISE(ABORT, 'poisoned row refused'); END`);
  return () => {
    db.exec('DROP TRIGGER poison');
    db.close();
  };
}

function count(home: string, sql: string): number {
  const db = openDatabase(databasePath(home), { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe('durability settings', () => {
  it('opens the engine database with synchronous=FULL, WAL, foreign keys and secure_delete', () => {
    const db = openStorage(join(tempDir(), 'vault.db'));
    assert.deepEqual(pragmas(db), DURABLE);
    assert.equal(db.pragma('secure_delete', { simple: true }), 1, 'secure_delete');
    db.close();
  });

  it('leaves the vault file in WAL mode, and every openDatabase connection durable', async () => {
    const { vault, home } = await newVault();
    vault.put([trace(1)]);
    const second = openDatabase(databasePath(home));
    assert.deepEqual(pragmas(second), DURABLE, 'a second connection opened while the vault is open');
    second.close();
    vault.close();
    const reopened = await Vault.open(home, testProvider());
    const third = openDatabase(databasePath(home));
    assert.deepEqual(pragmas(third), DURABLE, 'after the vault was closed and opened again');
    third.close();
    reopened.close();
  });
});

describe('batch atomicity', () => {
  it('stores nothing of a put whose insert fails midway, and the rest stores cleanly afterwards', async () => {
    const { vault, home } = await newVault();
    const subjectKeysBefore = count(home, 'SELECT count(*) FROM subject_keys');
    const release = poison(home);
    assert.throws(
      () => vault.put([trace(1), trace(2), trace(3, { agent_id: 'poison' }), trace(4)]),
      /poisoned/,
    );
    release();

    assert.equal(vault.count(), 0, 'no trace of the failed batch is stored');
    assert.deepEqual(vault.search({ query: 'warfarin' }).hits, [], 'no index terms of the failed batch');
    assert.equal(
      count(home, 'SELECT count(*) FROM subject_keys'),
      subjectKeysBefore,
      'no subject keys of it',
    );

    // The same subjects again: their keys must be created afresh, not reused from the rolled-back batch.
    assert.deepEqual(vault.put([trace(1), trace(2), trace(4)]).stored, ['dur-1', 'dur-2', 'dur-4']);
    vault.close();
    const reopened = await Vault.open(home, testProvider());
    for (const id of ['dur-1', 'dur-2', 'dur-4']) {
      assert.equal(reopened.get(id).id, id, `${id} decrypts after reopening`);
    }
    assert.equal(reopened.search({ query: 'warfarin' }).hits.length, 3);
    reopened.close();
  });

  it('keeps the batches of an import committed before the failing one, and none of that one', async () => {
    const { vault, home, dir } = await newVault();
    const file = join(dir, 'five.jsonl');
    const lines = [1, 2, 3, 4, 5].map((n) => trace(n, n === 4 ? { agent_id: 'poison' } : {}));
    writeFileSync(file, lines.map((t) => JSON.stringify(t)).join('\n'));
    const release = poison(home);
    const acked: string[][] = [];
    await assert.rejects(
      vault.importFile(file, { batchSize: 2, onBatchCommitted: (ids) => acked.push([...ids]) }),
      /poisoned/,
    );
    release();
    assert.deepEqual(acked, [['dur-1', 'dur-2']], 'only the first batch was acknowledged');
    assert.deepEqual(
      vault
        .list()
        .map((s) => s.id)
        .sort(),
      ['dur-1', 'dur-2'],
      'the failing batch (dur-3, dur-4) left nothing',
    );
    vault.close();
  });

  it('keeps the first of two traces with the same id in one batch and counts the second a duplicate', async () => {
    const { vault } = await newVault();
    const first = trace(1);
    const second = trace(1, { messages: [{ role: 'user', content: 'different content' }] });
    assert.deepEqual(vault.put([first, second]), { stored: ['dur-1'], duplicates: ['dur-1'] });
    assert.equal(vault.get('dur-1').messages[0]!.content, 'marker1 warfarin');
    vault.close();
  });
});
