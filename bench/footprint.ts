import { execFileSync } from 'node:child_process';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbeInput, ProbeOutput } from './rss-probe.js';
import type { Report } from './report.js';
import { summarize } from './stats.js';

const MB = 1024 * 1024;

/** RSS after a full collection, so garbage the run has already dropped is not counted. */
export function reportMemory(report: Report, traces: number, rssBeforeIngest: number): void {
  (globalThis as { gc?: () => void }).gc?.();
  const { rss, heapTotal, heapUsed, external } = process.memoryUsage();
  report.section(
    `memory after building ${traces.toLocaleString('en-US')} traces (baselines open in the same process)`,
  );
  report.add({ key: 'memory.rss', label: 'benchmark process RSS', value: rss / MB, unit: 'MB' });
  report.add({
    key: 'memory.rss_before',
    label: 'process RSS before ingest',
    value: rssBeforeIngest / MB,
    unit: 'MB',
  });
  report.add({ key: 'memory.heap_total', label: 'V8 heap reserved', value: heapTotal / MB, unit: 'MB' });
  report.add({ key: 'memory.heap_used', label: 'V8 heap used', value: heapUsed / MB, unit: 'MB' });
  report.add({
    key: 'memory.external',
    label: 'memory outside the V8 heap held by JS objects',
    value: external / MB,
    unit: 'MB',
  });
}

/** Size of a closed database: the main file plus any WAL left behind. */
export function databaseBytes(file: string): number {
  const wal = `${file}-wal`;
  return statSync(file).size + (existsSync(wal) ? statSync(wal).size : 0);
}

export function reportSizes(
  report: Report,
  files: { vault: string; plaintext: string; blob: string | null },
): void {
  const vault = databaseBytes(files.vault);
  const plaintext = databaseBytes(files.plaintext);
  report.section('footprint: database files once closed (WAL checkpointed), serving memory');
  report.add({
    key: 'size.vault',
    label: 'vault db (ciphertext + blind index)',
    value: vault / MB,
    unit: 'MB',
  });
  report.add({
    key: 'size.plaintext_fts5',
    label: 'baseline (a) db: plaintext + FTS5',
    value: plaintext / MB,
    unit: 'MB',
  });
  if (files.blob) {
    report.add({
      key: 'size.blob',
      label: 'baseline (b) db: JSON BLOBs',
      value: databaseBytes(files.blob) / MB,
      unit: 'MB',
    });
  }
  report.add({
    key: 'size.ratio_vs_fts5',
    label: 'ratio vault / plaintext-FTS5 size',
    value: vault / plaintext,
    unit: '×',
  });
}

/**
 * RSS of a fresh process that opens the vault and serves searches and result pages: the figure held to
 * design.md §8's memory target. Call with every connection to the vault closed.
 */
export function reportServingMemory(report: Report, dir: string, input: ProbeInput): void {
  const inputFile = join(dir, 'rss-probe-input.json');
  writeFileSync(inputFile, JSON.stringify(input));
  const probe = fileURLToPath(new URL('./rss-probe.js', import.meta.url));
  const output = JSON.parse(
    execFileSync(process.execPath, ['--expose-gc', probe, inputFile], { encoding: 'utf8' }),
  ) as ProbeOutput;
  report.add({
    key: 'memory.serving_rss',
    label: `fresh process serving the vault: RSS after ${input.queries.length} searches, ${input.pages.length} pages`,
    value: output.rss / MB,
    unit: 'MB',
    target: { op: '<=', value: 150 },
  });
  const pages = summarize(output.pageMs.slice(WARM_UP_PAGES));
  const baseline = summarize(output.baselineMs.slice(WARM_UP_PAGES));
  const countedPages = input.timedPages.length - WARM_UP_PAGES;
  report.add({
    key: 'page.serving_get_many.p50',
    label: `fresh process serving the vault: getMany(50) decrypted p50, ${countedPages} pages`,
    value: pages.p50,
    unit: 'ms',
    target: { op: '<=', value: 2 },
  });
  report.add({
    key: 'page.serving_get_many.p99',
    label: `fresh process serving the vault: getMany(50) decrypted p99`,
    value: pages.p99,
    unit: 'ms',
  });
  report.add({
    key: 'page.serving_plaintext.p50',
    label: `same process, same pages interleaved: 50 plaintext rows + JSON.parse p50`,
    value: baseline.p50,
    unit: 'ms',
  });
  report.add({
    key: 'page.serving_ratio_p50',
    label: 'ratio p50 vault / plaintext, serving process',
    value: pages.p50 / baseline.p50,
    unit: '×',
  });
}

/** Pages of each series the serving process reads before its timings count. */
const WARM_UP_PAGES = 50;
