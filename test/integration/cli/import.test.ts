import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { TraceSummary } from '../../../common/trace.js';
import { TraceFactory } from '../../support/synthetic-traces.js';
import { tempDir } from '../../support/temp.js';
import { expectExit, initVault, mirrorDnaEvents, runJson, writeJsonLines } from './cli-harness.js';

interface ImportDoc {
  file: string;
  stored: number;
  duplicates: number;
  rejected: { line: number; where: string; reason: string }[];
}

const ids = async (home: string) =>
  (
    await runJson<{ traces: TraceSummary[] }>(['traces', 'list', '--home', home, '--limit', '1000'])
  ).doc.traces
    .map((t) => t.id)
    .sort();

describe('vault-manager import', () => {
  const dir = tempDir('vault-cli-import-');
  const factory = new TraceFactory(7, 1000);
  const good = Array.from({ length: 4 }, (_, i) => factory.trace({ id: `good-${i}`, bytes: 600 }));
  // Lines 2, 4 and 5 are bad: not JSON, missing fields, an ended_at before started_at.
  const mixed = writeJsonLines(join(dir, 'mixed.jsonl'), [
    good[0],
    'this is {not json secretcanary',
    good[1],
    { agent_id: 'a' },
    { ...good[2], id: 'bad-times', ended_at: '2020-01-01T00:00:00Z' },
    '',
    good[2],
    good[3],
  ]);

  it('keeps good lines and reports each bad one with its line number', async () => {
    const home = join(dir, 'mixed');
    await initVault(home);
    const { stdout, stderr } = await expectExit(['import', '--home', home, '--file', mixed], 1);
    assert.match(stderr, /mixed\.jsonl, line 2: not valid JSON/);
    assert.match(stderr, /mixed\.jsonl, line 4: .*user_id/);
    assert.match(stderr, /mixed\.jsonl, line 5: ended_at: ended_at is before started_at/);
    assert.match(stderr, /3 record\(s\) rejected/);
    assert.doesNotMatch(stderr, /secretcanary/, 'a rejected line is trace content and is not echoed');
    assert.match(stdout, /Imported 4 trace\(s\); 0 already in the vault; 3 rejected/);
    assert.deepEqual(await ids(home), ['good-0', 'good-1', 'good-2', 'good-3']);
  });

  it('puts the rejections in the --json document, and nothing on stderr', async () => {
    const home = join(dir, 'mixed-json');
    await initVault(home);
    const { doc, result } = await runJson<ImportDoc>(['import', '--home', home, '--file', mixed], 1);
    assert.equal(doc.stored, 4);
    assert.deepEqual(
      doc.rejected.map((r) => r.line),
      [2, 4, 5],
    );
    assert.ok(doc.rejected.every((r) => r.reason.length > 0));
    assert.ok(!JSON.stringify(doc).includes('secretcanary'));
    assert.equal(result.stderr, '');
  });

  it('with --strict stops at the first bad line, keeping what came before', async () => {
    const home = join(dir, 'strict');
    await initVault(home);
    const { stderr } = await expectExit(
      ['import', '--home', home, '--file', mixed, '--strict', '--batch-size', '1'],
      1,
    );
    assert.match(stderr, /line 2: not valid JSON.*--strict/);
    assert.doesNotMatch(stderr, /line 4/);
    assert.doesNotMatch(stderr, /secretcanary/);
    assert.deepEqual(await ids(home), ['good-0']);
  });

  it('adds no duplicates when the same file is imported again', async () => {
    const home = join(dir, 'again');
    await initVault(home);
    const file = writeJsonLines(join(dir, 'clean.jsonl'), [
      ...good,
      // No id: the vault derives one from the content, so it is recognised the second time too.
      { agent_id: 'no-id', user_id: 'u', started_at: '2026-01-01T00:00:00Z', messages: [] },
    ]);
    const first = await runJson<ImportDoc>(['import', '--home', home, '--file', file]);
    assert.equal(first.doc.stored, 5);
    const second = await runJson<ImportDoc>(['import', '--home', home, '--file', file]);
    assert.equal(second.doc.stored, 0);
    assert.equal(second.doc.duplicates, 5);
    assert.equal((await ids(home)).length, 5);

    const mirror = writeJsonLines(join(dir, 'mirror.jsonl'), mirrorDnaEvents());
    for (const expected of [2, 0]) {
      const run = await runJson<ImportDoc>([
        'import',
        '--home',
        home,
        '--file',
        mirror,
        '--format',
        'mirrordna',
      ]);
      assert.equal(run.doc.stored, expected);
    }
  });

  it("refuses traces over --max-trace-bytes, and a limit above the vault's", async () => {
    const home = join(dir, 'limit');
    await initVault(home, ['--max-trace-bytes', '4096']);
    const big = factory.trace({ id: 'big', bytes: 3000 });
    const file = writeJsonLines(join(dir, 'sizes.jsonl'), [good[0], big]);
    const { doc } = await runJson<ImportDoc>(
      ['import', '--home', home, '--file', file, '--max-trace-bytes', '2048'],
      1,
    );
    assert.equal(doc.stored, 1);
    assert.deepEqual(
      doc.rejected.map((r) => r.line),
      [2],
    );
    assert.match(doc.rejected[0]!.reason, /over the limit of 2048 bytes/);
    const over = await expectExit(['import', '--home', home, '--file', file, '--max-trace-bytes', '8192'], 2);
    assert.match(over.stderr, /over this vault's limit of 4096 bytes/);
  });

  it('reports a missing file as an error naming it', async () => {
    const home = join(dir, 'missing');
    await initVault(home);
    const { stderr } = await expectExit(['import', '--home', home, '--file', join(dir, 'nope.jsonl')], 1);
    assert.match(stderr, /nope\.jsonl: ENOENT/);
  });
});
