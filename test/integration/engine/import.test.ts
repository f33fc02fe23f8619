/**
 * Importing files of traces: bad records are reported where and why while good ones are kept, strict mode
 * stops, re-imports add nothing, and batches are acknowledged one by one after they commit.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import type { TraceInput } from '../../../common/trace.js';
import type { Rejection } from '../../../core/ingest/importer.js';
import { newVault } from './vault-fixture.js';

const CRLF = '\r\n';

/** A valid native trace; pass `id: undefined` for one that brings no id. */
function trace(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: `imp-${n}`,
    agent_id: 'intake-agent',
    user_id: `clinician-${n % 3}`,
    started_at: `2026-02-01T10:00:${String(n % 60).padStart(2, '0')}Z`,
    ended_at: `2026-02-01T11:00:00Z`,
    messages: [{ role: 'user', content: `question number ${n}` }],
    ...overrides,
  };
}

function withoutId(value: Record<string, unknown>): Record<string, unknown> {
  const copy = { ...value };
  delete copy.id;
  return copy;
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

/** Writes raw lines (so a test can put any bytes in one), each ended by `eol`. */
function writeLines(file: string, lines: (Buffer | string)[], eol = '\n'): string {
  const parts = lines.flatMap((l) => [typeof l === 'string' ? Buffer.from(l, 'utf8') : l, Buffer.from(eol)]);
  writeFileSync(file, Buffer.concat(parts));
  return file;
}

function rejectionsByLine(rejected: readonly Rejection[]): Map<number, string> {
  return new Map(rejected.map((r) => [r.line, r.reason]));
}

describe('native import', () => {
  it('keeps good lines and reports each bad one with its line number and reason', async () => {
    const { vault, dir } = await newVault({ maxTraceBytes: 2048 });
    const badUtf8 = Buffer.concat([Buffer.from('{"agent_id":"a'), Buffer.from([0xff]), Buffer.from('"}')]);
    const oversize = json(trace(12, { messages: [{ role: 'user', content: 'x'.repeat(4000) }] }));
    const file = writeLines(
      join(dir, 'mixed.jsonl'),
      [
        Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), json(trace(1))]), // 1: BOM, then a good trace
        json(trace(2)), // 2
        '', // 3: blank
        '{"agent_id": "a", ', // 4: truncated JSON
        badUtf8, // 5: a byte that is not UTF-8, at offset 14
        json(trace(6, { agent_id: 42 })), // 6: wrong type
        json(trace(7, { user_id: undefined })), // 7: missing required field
        json(trace(8, { colour: 'red' })), // 8: unknown field
        json(trace(9, { started_at: '2026-02-01T12:00:00Z', ended_at: '2026-02-01T11:00:00Z' })), // 9
        ' \t ', // 10: whitespace only
        json(withoutId(trace(11))), // 11: good, no id
        oversize, // 12: over maxTraceBytes
        json(trace(13)), // 13
      ],
      CRLF,
    );

    const report = await vault.importFile(file);

    assert.equal(report.stored, 4, `stored ${report.stored}, expected lines 1, 2, 11 and 13`);
    assert.equal(report.duplicates, 0);
    const reasons = rejectionsByLine(report.rejected);
    assert.deepEqual(
      [...reasons.keys()],
      [4, 5, 6, 7, 8, 9, 12],
      'rejected lines (blank lines are not errors)',
    );
    const expectations: [number, RegExp][] = [
      [4, /not valid JSON/],
      [5, /not valid UTF-8 \(first bad byte at offset 14\)/],
      [6, /agent_id: agent_id must be a string/],
      [7, /user_id: user_id must be a string/],
      [8, /colour/],
      [9, /ended_at: ended_at is before started_at/],
      [12, new RegExp(`trace is ${oversize.length + 1} bytes, over the limit of 2048 bytes`)],
    ];
    for (const [line, pattern] of expectations) {
      assert.match(reasons.get(line)!, pattern, `reason for line ${line}`);
    }
    for (const r of report.rejected) assert.equal(r.where, `line ${r.line}`);

    for (const id of ['imp-1', 'imp-2', 'imp-13']) {
      assert.equal(vault.get(id).id, id, `${id} was kept`);
    }
    const listed = vault.list({}, { limit: 10, offset: 0 }).map((s) => s.id);
    const generated = listed.filter((id) => !id.startsWith('imp-'));
    assert.equal(generated.length, 1, `one trace got a generated id, listed: ${listed.join(', ')}`);
    assert.equal(vault.get(generated[0]!).messages[0]!.content, 'question number 11');
    vault.close();
  });

  it('stops at the first bad line in strict mode with BAD_INPUT naming the file and line', async () => {
    const { vault, dir } = await newVault();
    const file = writeLines(join(dir, 'strict.jsonl'), [
      json(trace(1)),
      json(trace(2)),
      json(trace(3, { role: 'nobody' })),
      json(trace(4)),
    ]);
    await assert.rejects(
      vault.importFile(file, { strict: true }),
      (error: unknown) =>
        isVaultError(error, 'BAD_INPUT') && error.message.includes(file) && error.message.includes('line 3'),
      'strict import must fail with BAD_INPUT naming the file and line 3',
    );
    assert.throws(
      () => vault.get('imp-4'),
      (e: unknown) => isVaultError(e, 'NOT_FOUND'),
      'nothing after it',
    );
    assert.equal(vault.count(), 2, 'the lines before it were stored, as the message says');
    vault.close();
  });

  it('stores nothing new on re-import, generated ids included, whatever the line endings', async () => {
    const { vault, dir } = await newVault();
    const noId1 = withoutId(trace(21));
    const noId2 = withoutId(trace(22));
    const lines = [json(trace(1)), json(noId1), json(trace(2)), json(noId2), json(noId2)];
    const lf = writeLines(join(dir, 'lf.jsonl'), lines);
    const crlf = writeLines(join(dir, 'crlf.jsonl'), lines, CRLF);

    const first = await vault.importFile(lf);
    assert.deepEqual(
      { stored: first.stored, duplicates: first.duplicates },
      { stored: 4, duplicates: 1 },
      'the repeated id-less line is the same trace',
    );
    const again = await vault.importFile(lf);
    assert.deepEqual({ stored: again.stored, duplicates: again.duplicates }, { stored: 0, duplicates: 5 });
    const otherEndings = await vault.importFile(crlf);
    assert.deepEqual(
      { stored: otherEndings.stored, duplicates: otherEndings.duplicates },
      { stored: 0, duplicates: 5 },
      'CRLF endings must not change generated ids',
    );
    assert.equal(vault.count(), 4);
    vault.close();
  });

  it('acknowledges each batch of batchSize once, after it is readable', async () => {
    const { vault, dir } = await newVault();
    const file = writeLines(
      join(dir, 'batches.jsonl'),
      Array.from({ length: 10 }, (_, i) => json(trace(i))),
    );
    const acks: string[][] = [];
    const report = await vault.importFile(file, {
      batchSize: 3,
      onBatchCommitted: (ids) => {
        acks.push([...ids]);
        for (const id of ids) assert.equal(vault.get(id).id, id, `${id} acknowledged but not stored`);
      },
    });
    assert.deepEqual(
      acks.map((a) => a.length),
      [3, 3, 3, 1],
    );
    assert.deepEqual(
      acks.flat(),
      Array.from({ length: 10 }, (_, i) => `imp-${i}`),
      'acknowledged in order',
    );
    assert.equal(report.batches, 4);

    const repeat: string[][] = [];
    await vault.importFile(file, { batchSize: 3, onBatchCommitted: (ids) => repeat.push([...ids]) });
    assert.deepEqual(repeat, [[], [], [], []], 'a re-import acknowledges its batches with nothing new');
    vault.close();
  });

  it('refuses a trace over the size limit given to vault.put with TOO_LARGE and stores none of the batch', async () => {
    const { vault } = await newVault({ maxTraceBytes: 2048 });
    const big = trace(2, { messages: [{ role: 'user', content: 'y'.repeat(3000) }] });
    assert.throws(
      () => vault.put([trace(1), big] as unknown as TraceInput[]),
      (e: unknown) =>
        isVaultError(e, 'TOO_LARGE') && /trace 1: \d+ bytes, over the limit of 2048/.test(e.message),
    );
    assert.equal(vault.count(), 0, 'the good trace of the refused batch was not stored');
    vault.close();
  });
});

/** One MirrorDNA event line. */
function event(session: string, type: string, timestamp: string | number, payload: object = {}): Buffer {
  return json({ session_id: session, vault_id: 'mv-1', event_type: type, timestamp, payload });
}

describe('MirrorDNA import', () => {
  const at = (s: number) => `2026-03-05T10:00:${String(s).padStart(2, '0')}Z`;

  it('assembles interleaved sessions into traces, in timestamp order, keeping what it does not map', async () => {
    const { vault, dir } = await newVault();
    const file = writeLines(join(dir, 'mirror.jsonl'), [
      event('s1', 'session_start', at(0), {
        agent_id: 'triage-bot',
        user_id: 'dr-a',
        subject_id: 'patient-1',
        model: 'm-1',
      }), // 1
      event('s2', 'session_start', at(1), { agent_id: 'scribe', user_id: 'dr-b' }), // 2
      event('s1', 'user_message', at(2), { content: 'hello one' }), // 3
      event('s2', 'prompt', at(3), { text: 'note two' }), // 4
      event('s1', 'tool_call', at(5), { id: 'c1', name: 'lookup', arguments: { q: 'x' } }), // 5
      event('s1', 'assistant_message', at(7), { content: 'answer one' }), // 6
      event('s1', 'tool_result', at(6), { id: 'c1', result: { ok: true } }), // 7
      event('s2', 'heartbeat', at(4), { cpu: 3 }), // 8: unknown type
      '{"session_id": "s1"}', // 9: bad event
      event('s2', 'response', Date.parse(at(8)) / 1000, { text: 'done two' }), // 10: seconds since 1970
      event('s1', 'system_message', at(1), { content: 'be careful' }), // 11: late in the file, early in time
      event('s1', 'session_end', at(9)), // 12
      'not json', // 13
    ]);

    const report = await vault.importFile(file, { format: 'mirrordna' });
    assert.equal(report.stored, 2);
    assert.deepEqual(
      report.rejected.map((r) => r.line),
      [9, 13],
      'bad event lines are reported by line number',
    );

    assert.deepEqual(vault.get('mirrordna-s1'), {
      id: 'mirrordna-s1',
      agent_id: 'triage-bot',
      user_id: 'dr-a',
      subject_id: 'patient-1',
      session_id: 's1',
      model: 'm-1',
      started_at: at(0),
      ended_at: at(9),
      messages: [
        { role: 'system', content: 'be careful' },
        { role: 'user', content: 'hello one' },
        { role: 'assistant', content: 'answer one' },
      ],
      tool_calls: [{ id: 'c1', name: 'lookup', arguments: { q: 'x' }, result: { ok: true } }],
      attributes: { 'mirrordna.vault_id': 'mv-1' },
      metadata: {},
    });
    const s2 = vault.get('mirrordna-s2');
    assert.deepEqual(s2.messages, [
      { role: 'user', content: 'note two' },
      { role: 'assistant', content: 'done two' },
    ]);
    assert.equal(Date.parse(s2.ended_at!), Date.parse(at(8)), 'without session_end, the last event ends it');
    assert.deepEqual(s2.metadata.mirrordna_events, [
      { event_type: 'heartbeat', timestamp: at(4), payload: { cpu: 3 } },
    ]);
    assert.deepEqual(
      vault.search({ query: 'answer one' }).hits.map((h) => h.id),
      ['mirrordna-s1'],
      'imported sessions are searchable',
    );

    const again = await vault.importFile(file, { format: 'mirrordna' });
    assert.deepEqual({ stored: again.stored, duplicates: again.duplicates }, { stored: 0, duplicates: 2 });
    assert.equal(vault.count(), 2);
    vault.close();
  });
});
