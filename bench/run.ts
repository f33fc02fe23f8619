/**
 * `npm run bench`: the performance targets of design.md §8, each printed as a ratio to a baseline
 * measured in the same run on the same machine.
 *
 *   BENCH_TRACES  traces to ingest (default 100000)
 *   BENCH_ONLY    comma-separated subset of: ingest, search, page, memory, audit, gate (default:
 *                 all). The vault and its plaintext baseline are built whatever trace benchmark is
 *                 selected, as search and page read them; audit and gate build only their own.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { benchAudit } from './audit.js';
import { benchGate } from './gate.js';
import { reportMemory, reportServingMemory, reportSizes } from './footprint.js';
import { buildStores, reportIngest } from './ingest.js';
import { damonPageout } from './page-cache-reclaim.js';
import { benchPages, randomPages } from './page.js';
import { chooseQueries } from './query-words.js';
import { Report } from './report.js';
import { benchSearch } from './search.js';

const BENCHMARKS = ['ingest', 'search', 'page', 'memory', 'audit', 'gate'] as const;
type Benchmark = (typeof BENCHMARKS)[number];

const SEARCH_QUERIES = 200;
const SEARCH_ROUNDS = 3;
const RESULT_PAGES = 500;
/** Result pages of each phase of the serving probe (rss-probe.ts); the first 50 it times warm up. */
const PROBE_PAGES = 550;
const RESULTS_FILE = join(process.cwd(), 'bench-results', 'latest.json');

function parseTraces(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 100_000;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 1000) {
    throw new Error(`BENCH_TRACES must be a whole number of at least 1000, got ${JSON.stringify(raw)}`);
  }
  return n;
}

function parseOnly(raw: string | undefined): Set<Benchmark> {
  if (raw === undefined || raw.trim() === '') return new Set(BENCHMARKS);
  const names = raw.split(',').map((s) => s.trim().toLowerCase());
  const unknown = names.filter((n) => !(BENCHMARKS as readonly string[]).includes(n));
  if (unknown.length > 0) {
    throw new Error(
      `BENCH_ONLY: unknown benchmark ${unknown.join(', ')}; choose from ${BENCHMARKS.join(', ')}`,
    );
  }
  return new Set(names as Benchmark[]);
}

async function main(): Promise<void> {
  const traces = parseTraces(process.env.BENCH_TRACES);
  const only = parseOnly(process.env.BENCH_ONLY);
  const started = Date.now();
  const pageout = damonPageout();
  const dir = mkdtempSync(join(tmpdir(), 'vault-bench-'));
  const report = new Report();
  console.log(
    `vault-manager bench: ${traces.toLocaleString('en-US')} traces; ${[...only].join(', ')}; ` +
      `node ${process.version}, ${cpus().length} cores; databases in ${dir}`,
  );
  if (pageout !== null) {
    console.log(
      `note: the kernel pages out idle memory here (DAMON, ${pageout}): database pages not read for a few ` +
        'seconds leave the OS cache, so reads in this process long after ingest include disk reads',
    );
  }
  try {
    if ([...only].some((b) => b !== 'audit' && b !== 'gate')) await benchTraces(report, dir, traces, only);
    // After the trace benchmarks, so their allocations do not move the memory figures.
    if (only.has('audit')) await benchAudit(report, dir);
    if (only.has('gate')) await benchGate(report, dir);

    const seconds = (Date.now() - started) / 1000;
    report.printTargets();
    report.writeJson(RESULTS_FILE, {
      traces,
      benchmarks: [...only],
      node: process.version,
      cores: cpus().length,
      cpu: cpus()[0]?.model ?? 'unknown',
      pageCacheReclaim: pageout !== null,
      date: new Date(started).toISOString(),
      seconds,
    });
    console.log(`run took ${seconds.toFixed(0)} s; figures written to ${RESULTS_FILE}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The trace benchmarks: they share the vault and its plaintext baseline. */
async function benchTraces(report: Report, dir: string, traces: number, only: Set<Benchmark>): Promise<void> {
  const rssBeforeIngest = process.memoryUsage().rss;
  const { stores, times } = await buildStores(dir, traces, only.has('ingest'));
  if (only.has('ingest')) reportIngest(report, times);
  if (only.has('memory')) reportMemory(report, traces, rssBeforeIngest);
  const queries = chooseQueries(stores.plaintext.termFrequencies(), traces, SEARCH_QUERIES);
  if (only.has('search')) benchSearch(report, stores, queries, { rounds: SEARCH_ROUNDS });
  if (only.has('page')) benchPages(report, stores, RESULT_PAGES);

  // Closing checkpoints each WAL into its database, so the sizes compare like with like.
  stores.vault.close();
  stores.plaintext.close();
  stores.blob?.close();
  if (only.has('memory')) reportSizes(report, stores.files);
  if (only.has('memory') || only.has('page')) {
    reportServingMemory(report, dir, {
      home: dirname(stores.files.vault),
      plaintext: stores.files.plaintext,
      queries: queries.map((q) => q.text),
      pages: randomPages(stores.ids, PROBE_PAGES, 13),
      timedPages: randomPages(stores.ids, PROBE_PAGES, 17),
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
