/**
 * The blind index must find exactly what a plaintext scan finds. Every query runs twice: through
 * vault.search (HMAC tokens, FTS5, decrypted phrase check, paging), and as a scan over every trace
 * decrypted with vault.get and tokenised with the engine's own rules. Any difference is a search bug:
 * a missed trace leaks nothing but silently hides evidence; an extra one means the index is wrong.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SearchRequest, TraceFilter } from '../../../common/search.js';
import type { TraceInput } from '../../../common/trace.js';
import { searchableText, words } from '../../../core/search/tokenize.js';
import type { Vault } from '../../../core/vault/vault.js';
import { TraceFactory } from '../../support/synthetic-traces.js';
import { newVault } from './vault-fixture.js';

const TRACE_COUNT = 1000;
const QUERY_COUNT = 360;
/** A small vocabulary, so words co-occur and two- and three-word phrases recur across traces. */
const VOCABULARY = 300;

interface Scanned {
  id: string;
  /** Insertion position: traces are put in this order. */
  index: number;
  startedMs: number;
  agentId: string;
  userId: string;
  subjectId: string | undefined;
  sequence: string[];
  distinct: Set<string>;
}

interface Query {
  kind: string;
  /** Bare words (ANDed) and quoted phrases, as typed. */
  bare: string[];
  phrases: string[][];
  filter: TraceFilter;
}

function queryText(q: Query): string {
  return [...q.bare, ...q.phrases.map((p) => `"${p.join(' ')}"`)].join(' ');
}

/** What a reader of the decrypted traces would answer, by the engine's tokenizer alone. */
function scan(all: readonly Scanned[], q: Query): Scanned[] {
  const required = [...q.bare, ...q.phrases.flat()].flatMap((w) => words(w).map((x) => x.text));
  const phrases = q.phrases
    .map((p) => p.flatMap((w) => words(w).map((x) => x.text)))
    .filter((p) => p.length > 1);
  const from = q.filter.from === undefined ? -Infinity : Date.parse(q.filter.from);
  const to = q.filter.to === undefined ? Infinity : Date.parse(q.filter.to);
  return all
    .filter(
      (t) =>
        (q.filter.agentId === undefined || t.agentId === q.filter.agentId) &&
        (q.filter.userId === undefined || t.userId === q.filter.userId) &&
        (q.filter.subjectId === undefined || t.subjectId === q.filter.subjectId) &&
        t.startedMs >= from &&
        t.startedMs < to &&
        required.every((w) => t.distinct.has(w)) &&
        phrases.every((p) => hasRun(t.sequence, p)),
    )
    .sort((a, b) => b.startedMs - a.startedMs || b.index - a.index);
}

/** Consecutive occurrence, written apart from the engine's containsPhrase so the two check each other. */
function hasRun(sequence: readonly string[], run: readonly string[]): boolean {
  for (let i = 0; i + run.length <= sequence.length; i++) {
    if (run.every((w, j) => sequence[i + j] === w)) return true;
  }
  return false;
}

interface Paged {
  ids: string[];
  startedAt: string[];
  pages: number;
}

/** Every hit of a search, page by page until hasMore is false, checking each page's own contract. */
function searchAll(vault: Vault, request: Omit<SearchRequest, 'limit' | 'offset'>, limit: number): Paged {
  const out: Paged = { ids: [], startedAt: [], pages: 0 };
  for (let offset = 0; ; offset += limit) {
    const page = vault.search({ ...request, limit, offset });
    out.pages++;
    assert.ok(
      page.hits.length <= limit,
      `page at offset ${offset} has ${page.hits.length} hits, limit ${limit}`,
    );
    if (page.hasMore) {
      assert.equal(page.hits.length, limit, `page at offset ${offset} says hasMore but is not full`);
    }
    for (const hit of page.hits) {
      out.ids.push(hit.id);
      out.startedAt.push(hit.startedAt);
    }
    if (!page.hasMore) return out;
    assert.ok(out.pages < 10_000, 'paging does not end');
  }
}

describe('search agrees with a decrypt-and-scan of every trace', () => {
  const factory = new TraceFactory(7331, VOCABULARY);
  const inputs: (TraceInput & { id: string })[] = [];
  const scanned: Scanned[] = [];
  let vault: Vault;

  before(async () => {
    ({ vault } = await newVault());
    for (let i = 0; i < TRACE_COUNT; i++) {
      const trace = factory.trace({
        id: `trace-${i}`,
        bytes: 1024 + factory.int(1024),
        agents: 4,
        users: 6,
        // Half the traces have a data subject; the rest are keyed by their user.
        subjects: i % 2 === 0 ? 5 : 0,
        // Non-ASCII words, so NFKC and case folding are on the tested path.
        extra: i % 7 === 0 ? 'Größe ＦＵＬＬ naïve Ölçü' : undefined,
      });
      // Every tenth trace starts at the same instant as an earlier one: ties must page stably.
      if (i % 10 === 9) {
        const twin = inputs[factory.int(i)]!;
        trace.started_at = twin.started_at;
        trace.ended_at = twin.ended_at;
      }
      if (i % 5 === 0) {
        trace.tool_calls = [
          {
            id: `call-${i}`,
            name: 'lookup_record',
            arguments: { q: factory.text(40) },
            result: factory.text(80),
          },
        ];
      }
      inputs.push(trace);
    }
    for (let i = 0; i < inputs.length; i += 100) {
      const result = vault.put(inputs.slice(i, i + 100));
      assert.equal(result.stored.length, Math.min(100, inputs.length - i), 'every trace of the batch stored');
    }
    inputs.forEach((input, index) => {
      const trace = vault.get(input.id);
      assert.deepEqual(trace, input, `trace ${input.id} does not read back as written`);
      const sequence = words(searchableText(trace)).map((w) => w.text);
      scanned.push({
        id: trace.id,
        index,
        startedMs: Date.parse(trace.started_at),
        agentId: trace.agent_id,
        userId: trace.user_id,
        subjectId: trace.subject_id,
        sequence,
        distinct: new Set(sequence),
      });
    });
  });

  after(() => vault.close());

  /** Queries from their own generator, so adding traces above does not reshuffle them. */
  function makeQueries(): Query[] {
    const rng = new TraceFactory(4242, VOCABULARY);
    const vocabulary = rng.vocabulary;
    const rare = () => vocabulary[vocabulary.length - 1 - rng.int(15)]!;
    const absent = () => ['zzyzx', 'quetzal', 'blorptastic', 'wug'][rng.int(4)]!;
    // Mostly mid-frequency words: the Zipf head is in nearly every trace and would make most queries
    // return everything, which tests little and costs a decrypt per hit.
    const anyWord = () => {
      const r = rng.random();
      if (r < 0.15) return rng.word();
      if (r < 0.65) return vocabulary[20 + rng.int(vocabulary.length - 20)]!;
      return r < 0.9 ? rare() : absent();
    };
    // Some words typed in another case: the query side must normalise like the index side.
    const typed = (w: string) => (rng.random() < 0.15 ? w.toUpperCase() : w);
    const head = new Set(vocabulary.slice(0, 20));
    // A run of consecutive words from a real trace. Most runs hold a word outside the Zipf head, so
    // they are selective; one in four may be all head words, which match hundreds of traces.
    const realRun = (length: number): string[] => {
      const selective = rng.random() < 0.75;
      for (;;) {
        const source = scanned[rng.int(scanned.length)]!.sequence;
        const start = rng.int(source.length - length);
        const run = source.slice(start, start + length);
        if (!selective || run.some((w) => !head.has(w))) return run;
      }
    };
    const filter = (): TraceFilter => {
      const f: TraceFilter = {};
      const pick = rng.random();
      if (pick < 0.45) return f;
      const some = scanned[rng.int(scanned.length)]!;
      if (rng.random() < 0.35) f.agentId = rng.random() < 0.9 ? some.agentId : 'agent-none';
      if (rng.random() < 0.3) f.userId = rng.random() < 0.9 ? some.userId : 'user-none';
      if (rng.random() < 0.3) f.subjectId = some.subjectId ?? 'patient-0';
      if (rng.random() < 0.4) {
        // Bounds that are exactly some trace's start, to pin inclusive from and exclusive to.
        const a = scanned[rng.int(scanned.length)]!.startedMs;
        const b = scanned[rng.int(scanned.length)]!.startedMs;
        if (rng.random() < 0.5) f.from = new Date(Math.min(a, b)).toISOString();
        if (rng.random() < 0.7) f.to = new Date(Math.max(a, b)).toISOString();
        if (rng.random() < 0.2) f.from = '2026-04-01';
      }
      return f;
    };

    const queries: Query[] = [];
    for (let i = 0; i < QUERY_COUNT; i++) {
      const kind = ['word', 'and2', 'and3', 'phrase2', 'phrase3', 'shuffled', 'phrase+word'][i % 7]!;
      let bare: string[] = [];
      let phrases: string[][] = [];
      switch (kind) {
        case 'word':
          bare = [anyWord()];
          break;
        case 'and2':
          bare = [anyWord(), anyWord()];
          break;
        case 'and3':
          bare = [anyWord(), anyWord(), anyWord()];
          break;
        case 'phrase2':
          phrases = [realRun(2)];
          break;
        case 'phrase3':
          phrases = [realRun(3)];
          break;
        case 'shuffled': {
          // The words of a real phrase in another order: all present, rarely adjacent in that order.
          const run = realRun(2 + rng.int(2));
          phrases = [run.length === 2 ? [run[1]!, run[0]!] : [run[2]!, run[0]!, run[1]!]];
          break;
        }
        case 'phrase+word':
          phrases = [realRun(2)];
          bare = [anyWord()];
          break;
      }
      queries.push({
        kind,
        bare: bare.map(typed),
        phrases: phrases.map((p) => p.map(typed)),
        filter: filter(),
      });
    }
    return queries;
  }

  it('returns exactly the scanned set for every query, newest first, without duplicates or gaps', (t) => {
    const queries = makeQueries();
    const limits = [1, 7, 50, 200, 1000];
    let totalHits = 0;
    let withHits = 0;
    let phraseNarrowed = 0;
    let pages = 0;
    const byKind = new Map<string, number>();
    for (const [n, q] of queries.entries()) {
      const text = queryText(q);
      const expected = scan(scanned, q);
      // Small pages on small results, and a bounded number of pages per query: a phrase query decrypts
      // its candidates from the top again for every page, so tiny pages over many hits cost minutes.
      const maxPages = q.phrases.length > 0 ? 4 : 20;
      const limit = Math.max(limits[n % limits.length]!, Math.ceil(expected.length / maxPages));
      const got = searchAll(vault, { query: text, ...q.filter }, limit);
      pages += got.pages;
      const context = `query #${n} (${q.kind}) ${JSON.stringify(text)} filter ${JSON.stringify(q.filter)} limit ${limit}`;

      assert.equal(new Set(got.ids).size, got.ids.length, `${context}: the same trace on two pages`);
      const expectedIds = new Set(expected.map((s) => s.id));
      const gotIds = new Set(got.ids);
      const missing = expected.filter((s) => !gotIds.has(s.id)).map((s) => s.id);
      const extra = got.ids.filter((id) => !expectedIds.has(id));
      assert.deepEqual(
        { missing: missing.slice(0, 5), extra: extra.slice(0, 5), count: got.ids.length },
        { missing: [], extra: [], count: expected.length },
        `${context}: search and scan disagree`,
      );
      for (let i = 1; i < got.startedAt.length; i++) {
        assert.ok(
          Date.parse(got.startedAt[i - 1]!) >= Date.parse(got.startedAt[i]!),
          `${context}: hit ${i} (${got.startedAt[i]}) is newer than hit ${i - 1} (${got.startedAt[i - 1]})`,
        );
      }

      totalHits += got.ids.length;
      byKind.set(q.kind, (byKind.get(q.kind) ?? 0) + got.ids.length);
      if (expected.length > 0) withHits++;
      if (q.phrases.length > 0) {
        const wordsOnly = scan(scanned, { ...q, bare: [...q.bare, ...q.phrases.flat()], phrases: [] });
        if (wordsOnly.length > expected.length) phraseNarrowed++;
      }
    }

    // The queries must exercise both outcomes, or equality would prove little.
    assert.ok(withHits >= queries.length / 3, `only ${withHits} of ${queries.length} queries had any hit`);
    assert.ok(queries.length - withHits >= 20, `only ${queries.length - withHits} queries had no hit`);
    assert.ok(phraseNarrowed >= 20, `word order decided only ${phraseNarrowed} phrase queries`);
    t.diagnostic(`hits by query kind: ${JSON.stringify(Object.fromEntries(byKind))}`);
    t.diagnostic(
      `${queries.length} queries, ${withHits} with hits, ${totalHits} hits in total, ${pages} pages, ` +
        `${phraseNarrowed} phrase queries where word order removed candidates`,
    );
  });
});
