import type { Stores } from './ingest.js';
import { shuffled, type WordQuery } from './query-words.js';
import type { Report } from './report.js';
import { summarize, timed, type Summary } from './stats.js';

const PAGE = 50;

export interface SearchOptions {
  /** Measured passes over the query list (after one warm-up pass). */
  rounds: number;
}

/**
 * The index half of search, the vault's blind index against FTS5 over plaintext: AND of two words,
 * newest first, one page of ids. Each query runs on both sides back to back, in alternating order, so
 * drift on the machine falls on both.
 */
export function benchSearch(
  report: Report,
  stores: Stores,
  queries: readonly WordQuery[],
  options: SearchOptions,
): void {
  const { vault, plaintext } = stores;
  const vaultIds = (q: WordQuery) => vault.searchIds({ query: q.text, limit: PAGE });
  const baselineIds = (q: WordQuery) => plaintext.searchIds(q.text, PAGE);

  // Warm-up, and the check that both sides answer the same page: same words, same order, same ties.
  let identical = 0;
  for (const q of queries) {
    const a = vaultIds(q);
    const b = baselineIds(q);
    if (a.length === b.length && a.every((id, i) => id === b[i])) identical++;
    vault.search({ query: q.text, limit: PAGE });
  }

  const vaultMs: number[] = [];
  const baselineMs: number[] = [];
  const byKind = new Map<string, { vault: number[]; baseline: number[]; hits: number[] }>();
  for (let round = 0; round < options.rounds; round++) {
    shuffled(queries, 100 + round).forEach((q, i) => {
      let v: number;
      let b: number;
      let hits: number;
      if (i % 2 === 0) {
        [hits, v] = timed(() => vaultIds(q).length);
        [, b] = timed(() => baselineIds(q));
      } else {
        [, b] = timed(() => baselineIds(q));
        [hits, v] = timed(() => vaultIds(q).length);
      }
      vaultMs.push(v);
      baselineMs.push(b);
      const kind = byKind.get(q.kind) ?? { vault: [], baseline: [], hits: [] };
      kind.vault.push(v);
      kind.baseline.push(b);
      kind.hits.push(hits);
      byKind.set(q.kind, kind);
    });
  }
  const snippetMs = queries.map((q) => timed(() => vault.search({ query: q.text, limit: PAGE }))[1]);

  const v = summarize(vaultMs);
  const b = summarize(baselineMs);
  const s = summarize(snippetMs);
  report.section(
    `search: AND of 2 words, first ${PAGE}, newest first; ${queries.length} queries × ${options.rounds} rounds`,
  );
  report.add({ key: 'search.vault_ids.p50', label: 'vault.searchIds p50', value: v.p50, unit: 'ms' });
  report.add({ key: 'search.vault_ids.p99', label: 'vault.searchIds p99', value: v.p99, unit: 'ms' });
  report.add({
    key: 'search.fts5.p50',
    label: 'baseline: FTS5 MATCH over plaintext p50',
    value: b.p50,
    unit: 'ms',
  });
  report.add({
    key: 'search.fts5.p99',
    label: 'baseline: FTS5 MATCH over plaintext p99',
    value: b.p99,
    unit: 'ms',
  });
  report.add({
    key: 'search.ratio_p99',
    label: 'ratio p99 vault / FTS5',
    value: v.p99 / b.p99,
    unit: '×',
    target: { op: '<=', value: 1.5 },
  });
  report.add({ key: 'search.ratio_p50', label: 'ratio p50 vault / FTS5', value: v.p50 / b.p50, unit: '×' });
  report.add({
    key: 'search.identical_pages',
    label: `queries whose page of ids equals FTS5's (of ${queries.length})`,
    value: identical,
    unit: '',
  });
  report.add({
    key: 'search.vault_search.p50',
    label: 'vault.search with decrypted snippets p50',
    value: s.p50,
    unit: 'ms',
  });
  report.add({
    key: 'search.vault_search.p99',
    label: 'vault.search with decrypted snippets p99',
    value: s.p99,
    unit: 'ms',
  });

  const kinds: Record<string, { vault: Summary; fts5: Summary; meanHits: number }> = {};
  for (const [kind, samples] of byKind) {
    kinds[kind] = {
      vault: summarize(samples.vault),
      fts5: summarize(samples.baseline),
      meanHits: samples.hits.reduce((x, y) => x + y, 0) / samples.hits.length,
    };
  }
  report.detail('search.by_kind', kinds);
  report.detail(
    'search.queries',
    queries.map((q) => q.text),
  );
  printKinds(kinds);
}

function printKinds(kinds: Record<string, { vault: Summary; fts5: Summary; meanHits: number }>): void {
  console.log('  by pair kind (ms)            vault p50   p99 | FTS5 p50   p99 | hits/page');
  for (const [kind, k] of Object.entries(kinds)) {
    const f = (x: number) => x.toFixed(2).padStart(7);
    console.log(
      `    ${kind.padEnd(26)} ${f(k.vault.p50)} ${f(k.vault.p99)} | ${f(k.fts5.p50)} ${f(k.fts5.p99)} | ${k.meanHits.toFixed(1).padStart(6)}`,
    );
  }
}
