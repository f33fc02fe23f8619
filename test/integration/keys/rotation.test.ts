import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openDatabase } from '../../../native/sqlite.js';
import { PassphraseKeyProvider } from '../../../core/keys/passphrase-provider.js';
import { databasePath } from '../../../core/vault/home.js';
import { Vault } from '../../../core/vault/vault.js';
import { TraceFactory } from '../../support/synthetic-traces.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST, tempDir } from '../../support/temp.js';

const provider = () => new PassphraseKeyProvider(TEST_PASSPHRASE, TEST_SCRYPT_COST);
const DAY = 24 * 3600 * 1000;

function kekVersionsOfSubjectKeys(home: string): Map<number, number> {
  const db = openDatabase(databasePath(home), { readonly: true });
  try {
    const rows = db
      .prepare('SELECT kek_version AS v, count(*) AS n FROM subject_keys GROUP BY kek_version')
      .all() as {
      v: number;
      n: number;
    }[];
    return new Map(rows.map((r) => [r.v, r.n]));
  } finally {
    db.close();
  }
}

describe('KEK rotation', () => {
  it('rotates during a 10,000-trace ingest with concurrent reads: no failed operation, nothing left under the old KEK', async () => {
    const home = tempDir();
    const vault = await Vault.create(home, provider());
    const factory = new TraceFactory(21, 2000);
    const traces = Array.from({ length: 10_000 }, (_, i) =>
      factory.trace({ id: `rot-${i}`, bytes: 600, users: 50, subjects: 3000 }),
    );
    const batches = Array.from({ length: 100 }, (_, b) => traces.slice(b * 100, b * 100 + 100));

    let stored = 0;
    let reads = 0;
    const failures: string[] = [];
    let ingesting = true;
    const ingest = vault
      .putBatches(batches, (result) => (stored += result.stored.length))
      .catch((error: unknown) => failures.push(`ingest: ${String(error)}`))
      .finally(() => (ingesting = false));
    const reader = (async () => {
      while (ingesting) {
        if (stored > 0) {
          try {
            const id = `rot-${reads % stored}`;
            assert.equal(vault.get(id).id, id);
            reads++;
          } catch (error) {
            failures.push(`read: ${String(error)}`);
          }
        }
        await new Promise((resolve) => setImmediate(resolve));
      }
    })();
    // Rotate once a third of the traces are in, while ingest and reads go on.
    while (stored < 3000) await new Promise((resolve) => setImmediate(resolve));
    const rotatedTo = await vault.rotateKeys();
    await Promise.all([ingest, reader]);

    assert.deepEqual(failures, [], 'no operation failed');
    assert.equal(stored, 10_000);
    assert.ok(reads >= 50, `reads went on during ingest (${reads})`);
    assert.equal(rotatedTo, 2);
    await vault.rotateKeys(); // a second rotation retires v2 as well, with ingest over
    const status = vault.keyStatus();
    assert.equal(status.pendingRewrap, 0);
    assert.deepEqual(
      status.versions.map((v) => [v.version, v.retiredAt !== null]),
      [
        [1, true],
        [2, true],
        [3, false],
      ],
    );
    for (let i = 0; i < 10_000; i += 997) assert.equal(vault.get(`rot-${i}`).id, `rot-${i}`);
    vault.close();
    assert.deepEqual(
      [...kekVersionsOfSubjectKeys(home).keys()],
      [3],
      'every subject key is under the current KEK',
    );
    console.log(`rotation under load: ${stored} traces ingested, ${reads} concurrent reads, 0 failures`);

    const reopened = await Vault.open(home, provider());
    assert.equal(reopened.get('rot-9999').id, 'rot-9999');
    reopened.close();
  });

  it('rotates by itself when policy says it is due, and re-wraps in the background', async () => {
    const home = tempDir();
    let now = Date.UTC(2026, 0, 1);
    const vault = await Vault.create(home, provider(), { now: () => now });
    vault.put([
      new TraceFactory(3).trace({ id: 'a', subjects: 5 }),
      new TraceFactory(4).trace({ id: 'b', subjects: 5 }),
    ]);
    assert.equal(vault.keyStatus().rotationDue, false);
    vault.close();

    now += 89 * DAY;
    const early = await Vault.open(home, provider(), { now: () => now });
    assert.equal(early.keyStatus().currentVersion, 1, 'not due after 89 days');
    early.close();

    now += 2 * DAY;
    const due = await Vault.open(home, provider(), { now: () => now });
    assert.equal(due.keyStatus().currentVersion, 2, 'rotated after 91 days');
    await due.whenIdle();
    const status = due.keyStatus();
    assert.equal(status.pendingRewrap, 0);
    assert.notEqual(status.versions[0]!.retiredAt, null, 'v1 retired');
    assert.equal(status.nextRotationDue, new Date(now + 90 * DAY).toISOString());
    assert.equal(due.get('a').id, 'a');
    due.close();
    // The new KEK was made by a process that opened (not created) the vault: it must open again.
    const again = await Vault.open(home, provider(), { now: () => now });
    assert.equal(await again.rotateKeys(), 3, 'an explicit rotation from an opened vault');
    again.close();
    const afterExplicit = await Vault.open(home, provider(), { now: () => now });
    assert.equal(afterExplicit.get('b').id, 'b');
    afterExplicit.close();
  });

  it('resumes an interrupted re-wrap on the next open', async () => {
    const home = tempDir();
    const vault = await Vault.create(home, provider());
    const factory = new TraceFactory(8, 500);
    vault.put(
      Array.from({ length: 1500 }, (_, i) => factory.trace({ id: `r-${i}`, bytes: 300, subjects: 100_000 })),
    );
    const rotation = vault.rotateKeys();
    vault.close(); // the re-wrap stops after at most one transaction
    await rotation;
    const pending = [...kekVersionsOfSubjectKeys(home)]
      .filter(([v]) => v === 1)
      .reduce((n, [, c]) => n + c, 0);
    assert.ok(pending > 0, `some keys were left under v1 (${pending})`);

    const reopened = await Vault.open(home, provider());
    await reopened.whenIdle();
    assert.equal(reopened.keyStatus().pendingRewrap, 0);
    assert.equal(reopened.get('r-1499').id, 'r-1499');
    reopened.close();
    assert.deepEqual([...kekVersionsOfSubjectKeys(home).keys()], [2]);
  });
});

describe('key slots', () => {
  it('opens with any slot, removes one, and refuses to remove the last', async () => {
    const home = tempDir();
    const first = provider();
    const second = new PassphraseKeyProvider('a second passphrase', TEST_SCRYPT_COST, 'deputy');
    const vault = await Vault.create(home, first);
    vault.put([new TraceFactory(1).trace({ id: 'x' })]);
    const secondId = await vault.addSlot(second);
    assert.deepEqual(
      vault.listSlots().map((s) => [s.kind, s.label]),
      [
        ['passphrase', 'passphrase'],
        ['passphrase', 'deputy'],
      ],
    );
    vault.close();

    const bySecond = await Vault.open(home, second);
    assert.equal(bySecond.get('x').id, 'x');
    const firstId = bySecond.listSlots()[0]!.id;
    bySecond.removeSlot(firstId);
    assert.throws(() => bySecond.removeSlot(secondId), /last one/);
    const third = new PassphraseKeyProvider('a third passphrase', TEST_SCRYPT_COST, 'night shift');
    await bySecond.addSlot(third); // added by a vault that was opened, not created
    bySecond.close();
    const byThird = await Vault.open(home, third);
    assert.equal(byThird.get('x').id, 'x');
    byThird.close();

    await assert.rejects(Vault.open(home, first), { code: 'WRONG_SECRET' });
  });
});
