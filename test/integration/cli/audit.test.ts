import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import type { AuditRecord } from '../../../common/audit.js';
import { databasePath } from '../../../core/vault/home.js';
import { tempDir } from '../../support/temp.js';
import { KDF, expectExit, initVault, runJson, writeJsonLines } from './cli-harness.js';

interface Rows {
  rows: AuditRecord[];
}
interface Verification {
  ok: boolean;
  rows: number;
  checkpoints: number;
  firstBreak?: { kind: string; seq: number; message: string };
  devicePublicKey: string | null;
}

const LEE_PASSPHRASE = 'dr lee keeps her own passphrase';
const asLee = { env: { VAULT_MANAGER_PASSPHRASE: LEE_PASSPHRASE } };

function trace(id: string, user: string, words: string) {
  return {
    id,
    agent_id: 'ward-agent',
    user_id: user,
    started_at: '2026-03-01T08:00:00Z',
    messages: [{ role: 'user', content: words }],
  };
}

describe('vault-manager audit', () => {
  const dir = tempDir('vault-cli-audit-');
  const home = join(dir, 'home');
  const h = ['--home', home];
  const lee = [...h, '--as', 'dr-lee'];

  it('records what a clinician did, denials and break-glass included', async () => {
    await initVault(home);
    await expectExit(['users', 'add', 'dr-lee', '--role', 'clinician', ...h, ...KDF], 0, {
      env: { VAULT_MANAGER_NEW_PASSPHRASE: LEE_PASSPHRASE },
    });
    const file = writeJsonLines(join(dir, 'traces.jsonl'), [
      trace('lee-1', 'dr-lee', 'the quokkamarker dosage was checked'),
      trace('kim-1', 'dr-kim', 'discharge letter for bed 4'),
      trace('kim-2', 'dr-kim', 'the quokkamarker allergy note'),
    ]);
    await expectExit(['import', ...h, '--file', file], 0);
    await expectExit(['traces', 'search', 'quokkamarker', ...lee], 0, asLee);
    await expectExit(['traces', 'get', 'kim-1', ...lee], 1, asLee);
    await expectExit(['traces', 'get', 'kim-2', ...lee], 1, asLee);
    await expectExit(['audit', 'query', ...lee], 1, asLee);
    await expectExit(
      ['break-glass', '--reason', 'patient crashed in ward 7', '--minutes', '5', ...lee],
      0,
      asLee,
    );
    await expectExit(['traces', 'get', 'kim-1', ...lee], 0, asLee);
  });

  it('queries by actor, result, action and trace', async () => {
    const denied = await runJson<Rows>(['audit', 'query', '--user', 'dr-lee', '--result', 'denied', ...h]);
    assert.deepEqual(
      denied.doc.rows.map((r) => [r.actor, r.operation, r.target, r.result]),
      [
        ['dr-lee', 'traces.get', 'kim-1', 'denied'],
        ['dr-lee', 'traces.get', 'kim-2', 'denied'],
        ['dr-lee', 'audit.query', '', 'denied'],
      ],
    );
    const human = await expectExit(['audit', 'query', '--user', 'dr-lee', '--result', 'denied', ...h], 0);
    const lines = human.stdout.split('\n').filter((l) => /traces\.get/.test(l));
    assert.equal(lines.length, 2);
    assert.match(lines[0]!, /^\s+\d+\s+\S+Z\s+dr-lee\s+READ\/traces\.get\s+kim-1\s+denied\s+local\s+\S+=/);

    const reads = await runJson<Rows>(['audit', 'query', '--action', 'read', '--trace', 'kim-1', ...h]);
    assert.deepEqual(
      reads.doc.rows.map((r) => [r.result, r.breakGlass === null]),
      [
        ['denied', true],
        ['success', false],
      ],
    );
    const marked = await expectExit(['audit', 'query', '--action', 'READ', '--trace', 'kim-1', ...h], 0);
    assert.match(marked.stdout, /^!\s+\d+.*success.*break-glass=\d+/m);
    assert.match(marked.stdout, /! marks rows written during a break-glass window/);

    const glass = await runJson<Rows>(['audit', 'query', '--action', 'BREAK_GLASS', ...h]);
    assert.equal(glass.doc.rows.length, 1);
    assert.equal(glass.doc.rows[0]!.actor, 'dr-lee');

    const bad = await expectExit(['audit', 'query', '--action', 'READ,PEEK', ...h], 2);
    assert.match(bad.stderr, /PEEK/);
    await expectExit(['audit', 'query', '--from', 'yesterday', ...h], 2);
    await expectExit(['audit', 'query', '--result', 'maybe', ...h], 2);
    const future = await runJson<Rows>(['audit', 'query', '--from', '2999-01-01', ...h]);
    assert.deepEqual(future.doc.rows, []);
    const past = await runJson<Rows>(['audit', 'query', '--to', '2000-01-01T00:00:00Z', ...h]);
    assert.deepEqual(past.doc.rows, []);

    const page = await runJson<Rows & { limit: number; offset: number }>([
      'audit',
      'query',
      '--limit',
      '2',
      '--offset',
      '1',
      ...h,
    ]);
    assert.deepEqual(
      page.doc.rows.map((r) => r.seq),
      [2, 3],
    );
    const more = await expectExit(['audit', 'query', '--limit', '2', ...h], 0);
    assert.match(more.stdout, /more with --offset 2/);
  });

  it('finds the rows that named a search word, by its keyed hash', async () => {
    const found = await runJson<Rows>(['audit', 'lookup', 'QuokkaMarker', ...h]);
    assert.deepEqual(
      found.doc.rows.map((r) => [r.actor, r.operation]),
      [['dr-lee', 'traces.search']],
    );
    assert.ok(!JSON.stringify(found.doc.rows).includes('quokkamarker'), 'the log holds only the hash');
    const none = await runJson<Rows>(['audit', 'lookup', 'never-searched', ...h]);
    assert.deepEqual(none.doc.rows, []);
  });

  it('verifies the log', async () => {
    const verified = await runJson<Verification>(['audit', 'verify', ...h]);
    assert.equal(verified.doc.ok, true);
    assert.ok(verified.doc.rows > 10);
    assert.equal(verified.doc.firstBreak, undefined);
    const human = await expectExit(['audit', 'verify', ...h], 0);
    assert.match(human.stdout, /intact: \d+ row\(s\) checked/);
    assert.match(human.stdout, /signed checkpoint\(s\) verified/);
    assert.match(human.stdout, /Device public key: /);
  });

  it('exports every row as CSV and JSON Lines', async () => {
    const csv = join(dir, 'audit.csv');
    const exported = await runJson<{ rows: number; output: string }>([
      'audit',
      'export',
      '--format',
      'csv',
      '--output',
      csv,
      ...h,
    ]);
    assert.equal(exported.doc.output, csv);
    const csvLines = readFileSync(csv, 'utf8').split('\r\n').filter(Boolean);
    assert.equal(csvLines.length, exported.doc.rows + 1, 'a header and one line per row');
    assert.match(csvLines[0]!, /^seq,at,at_ms,actor,action,operation/);

    const jsonl = join(dir, 'audit.jsonl');
    const again = await runJson<{ rows: number }>([
      'audit',
      'export',
      '--format',
      'jsonl',
      '--output',
      jsonl,
      ...h,
    ]);
    const records = readFileSync(jsonl, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { seq: number; hash: string });
    assert.equal(records.length, again.doc.rows);
    assert.deepEqual(
      records.map((r) => r.seq),
      Array.from({ length: records.length }, (_, i) => i + 1),
    );
    // The csv export's own session and row came in between: the second export has more rows.
    assert.ok(again.doc.rows > exported.doc.rows);

    const exists = await expectExit(['audit', 'export', '--format', 'csv', '--output', csv, ...h], 1);
    assert.match(exists.stderr, /already exists/);
    await expectExit(['audit', 'export', '--format', 'csv', '--output', csv, '--force', ...h], 0);
    await expectExit(['audit', 'export', '--format', 'xml', '--output', csv, ...h], 2);
    await expectExit(['audit', 'export', '--output', csv, ...h], 2);
    const exports = await runJson<Rows>(['audit', 'query', '--action', 'EXPORT', ...h]);
    assert.equal(exports.doc.rows.filter((r) => r.result === 'success').length, 3);
  });

  it('says where an edited log breaks, with exit status 1', async () => {
    const db = new Database(databasePath(home));
    try {
      db.prepare("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3").run();
    } finally {
      db.close();
    }
    const broken = await runJson<Verification>(['audit', 'verify', ...h], 1);
    assert.equal(broken.doc.ok, false);
    assert.equal(broken.doc.firstBreak?.kind, 'edited');
    assert.equal(broken.doc.firstBreak?.seq, 3);
    assert.equal(broken.doc.rows, 2);
    const human = await expectExit(['audit', 'verify', ...h], 1);
    assert.match(human.stdout, /BROKEN at row 3 \(edited\)/);
  });
});
