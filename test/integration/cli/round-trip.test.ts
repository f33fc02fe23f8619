import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { SearchResult } from '../../../common/search.js';
import type { Trace, TraceSummary } from '../../../common/trace.js';
import { TraceFactory } from '../../support/synthetic-traces.js';
import { tempDir } from '../../support/temp.js';
import { asStored, expectExit, initVault, mirrorDnaEvents, runJson, writeJsonLines } from './cli-harness.js';

interface ImportDoc {
  stored: number;
  duplicates: number;
  rejected: unknown[];
}
interface ListDoc {
  total: number;
  traces: TraceSummary[];
}

describe('vault-manager: init, import, list, get, search, delete, export', () => {
  const dir = tempDir('vault-cli-roundtrip-');
  const home = join(dir, 'home');
  const factory = new TraceFactory(42, 2000);
  const traces = Array.from({ length: 12 }, (_, i) =>
    factory.trace({
      id: `rt-${i}`,
      bytes: 1500,
      agents: 3,
      subjects: 4,
      extra: i % 3 === 0 ? 'quokkamarker' : '',
    }),
  );
  const nativeFile = writeJsonLines(join(dir, 'native.jsonl'), traces);
  const mirrorFile = writeJsonLines(join(dir, 'mirror.jsonl'), mirrorDnaEvents());

  it('creates a vault and imports native and mirrordna files', async () => {
    await initVault(home);
    const native = await runJson<ImportDoc>(['import', '--home', home, '--file', nativeFile]);
    assert.deepEqual(native.doc, { ...native.doc, stored: 12, duplicates: 0, rejected: [] });
    const mirror = await runJson<ImportDoc>([
      'import',
      '--home',
      home,
      '--file',
      mirrorFile,
      '--format',
      'mirrordna',
    ]);
    assert.equal(mirror.doc.stored, 2, 'two MirrorDNA sessions become two traces');
    assert.deepEqual(mirror.doc.rejected, []);
  });

  it('lists with filters and paging', async () => {
    const all = await runJson<ListDoc>(['traces', 'list', '--home', home, '--limit', '1000']);
    assert.equal(all.doc.total, 14);
    assert.equal(all.doc.traces.length, 14);
    const starts = all.doc.traces.map((t) => Date.parse(t.startedAt));
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => b - a),
      'newest first',
    );

    const agent = traces[0]!.agent_id;
    const byAgent = await runJson<ListDoc>(['traces', 'list', '--home', home, '--agent', agent]);
    assert.equal(byAgent.doc.total, traces.filter((t) => t.agent_id === agent).length);
    assert.ok(byAgent.doc.traces.every((t) => t.agentId === agent));

    const subject = traces[0]!.subject_id!;
    const bySubject = await runJson<ListDoc>(['traces', 'list', '--home', home, '--subject', subject]);
    assert.equal(bySubject.doc.total, traces.filter((t) => t.subject_id === subject).length);

    const page = await runJson<ListDoc>(['traces', 'list', '--home', home, '--limit', '5', '--offset', '10']);
    assert.deepEqual(
      page.doc.traces.map((t) => t.id),
      all.doc.traces.slice(10, 15).map((t) => t.id),
    );

    const from = '2026-06-01T00:00:00Z';
    const later = await runJson<ListDoc>([
      'traces',
      'list',
      '--home',
      home,
      '--from',
      from,
      '--limit',
      '1000',
    ]);
    assert.equal(
      later.doc.total,
      traces.filter((t) => Date.parse(t.started_at) >= Date.parse(from)).length +
        (Date.parse('2026-02-01T10:00:00Z') >= Date.parse(from) ? 2 : 0),
    );
  });

  it('gets a trace back exactly as imported', async () => {
    const { doc } = await runJson<Trace>(['traces', 'get', 'rt-3', '--home', home]);
    assert.deepEqual(doc, asStored(traces[3]!));
    const mirror = await runJson<Trace>(['traces', 'get', 'mirrordna-m1', '--home', home]);
    assert.equal(mirror.doc.agent_id, 'mirror-agent');
    assert.deepEqual(
      mirror.doc.messages.map((m) => m.role),
      ['user', 'assistant'],
    );
    assert.deepEqual(mirror.doc.tool_calls[0]?.result, { rows: 3 });
  });

  it('prints a trace for people without --json', async () => {
    const { stdout } = await expectExit(['traces', 'get', 'rt-3', '--home', home], 0);
    assert.match(stdout, /^id: +rt-3$/m);
    assert.match(stdout, /^\[user\]$/m);
  });

  it('searches the blind index and returns snippets', async () => {
    const { doc } = await runJson<SearchResult>(['traces', 'search', 'quokkamarker', '--home', home]);
    assert.deepEqual(doc.hits.map((h) => h.id).sort(), ['rt-0', 'rt-3', 'rt-6', 'rt-9']);
    assert.ok(doc.hits.every((h) => h.snippet.includes('quokkamarker')));
    const mirror = await runJson<SearchResult>(['traces', 'search', '"zebrafinch ledger"', '--home', home]);
    assert.deepEqual(
      mirror.doc.hits.map((h) => h.id),
      ['mirrordna-m1'],
    );
    const paged = await runJson<SearchResult>([
      'traces',
      'search',
      'quokkamarker',
      '--home',
      home,
      '--limit',
      '3',
      '--order',
      'best',
    ]);
    assert.equal(paged.doc.hits.length, 3);
    assert.equal(paged.doc.hasMore, true);
  });

  it('deletes a trace, and a second delete is an error', async () => {
    const { doc } = await runJson<{ deleted: string }>(['traces', 'delete', 'rt-6', '--home', home]);
    assert.deepEqual(doc, { deleted: 'rt-6' });
    const again = await expectExit(['traces', 'delete', 'rt-6', '--home', home], 1);
    assert.match(again.stderr, /not found: no trace with id "rt-6"/);
    await expectExit(['traces', 'get', 'rt-6', '--home', home], 1);
    const search = await runJson<SearchResult>(['traces', 'search', 'quokkamarker', '--home', home]);
    assert.ok(!search.doc.hits.some((h) => h.id === 'rt-6'), 'a deleted trace is not found by search');
  });

  it('exports a file that re-imports into a fresh vault with identical traces', async () => {
    const exported = join(dir, 'export.jsonl');
    const { doc } = await runJson<{ traces: number; bytes: number }>([
      'export',
      '--home',
      home,
      '--output',
      exported,
    ]);
    assert.equal(doc.traces, 13);
    assert.equal(statSync(exported).mode & 0o777, 0o600, 'the export holds plaintext: owner-only');

    const refused = await expectExit(['export', '--home', home, '--output', exported], 1);
    assert.match(refused.stderr, /already exists.*--force/);
    await expectExit(['export', '--home', home, '--output', exported, '--force'], 0);

    const fresh = join(dir, 'fresh');
    await initVault(fresh);
    const imported = await runJson<ImportDoc>(['import', '--home', fresh, '--file', exported]);
    assert.equal(imported.doc.stored, 13);
    const again = join(dir, 'export-again.jsonl');
    await expectExit(['export', '--home', fresh, '--output', again], 0);

    const byId = (file: string) =>
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Trace)
        .sort((a, b) => a.id.localeCompare(b.id));
    assert.deepEqual(byId(again), byId(exported));
    assert.deepEqual(
      byId(exported).find((t) => t.id === 'rt-3'),
      asStored(traces[3]!),
    );
  });

  it('exports only what the filter selects', async () => {
    const agent = traces[0]!.agent_id;
    const file = join(dir, 'by-agent.jsonl');
    const { doc } = await runJson<{ traces: number }>([
      'export',
      '--home',
      home,
      '--output',
      file,
      '--agent',
      agent,
    ]);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    assert.equal(lines.length, doc.traces);
    assert.ok(lines.every((line) => (JSON.parse(line) as Trace).agent_id === agent));
  });
});
