import type { Stores } from './ingest.js';
import type { Report } from './report.js';
import { alternate, seededRandom, summarize, timed } from './stats.js';

const PAGE = 50;
const WARM_UP_PAGES = 50;

/**
 * A decrypted result page: vault.getMany of 50 ids drawn at random from the whole vault (no locality to
 * help), against reading the same 50 plaintext rows and parsing their JSON.
 */
export function benchPages(report: Report, stores: Stores, pages: number): void {
  const { vault, plaintext, ids } = stores;
  const all = randomPages(ids, WARM_UP_PAGES + pages, 11);
  for (const page of all.slice(0, WARM_UP_PAGES)) {
    vault.getMany(page);
    plaintext.getMany(page);
  }
  const vaultMs: number[] = [];
  const baselineMs: number[] = [];
  all.slice(WARM_UP_PAGES).forEach((page, i) => {
    const runVault = () => {
      const [traces, ms] = timed(() => vault.getMany(page));
      if (traces.length !== PAGE)
        throw new Error(`vault.getMany returned ${traces.length} of ${PAGE} traces`);
      vaultMs.push(ms);
    };
    const runBaseline = () => baselineMs.push(timed(() => plaintext.getMany(page))[1]);
    alternate(i, runVault, runBaseline);
  });
  const v = summarize(vaultMs);
  const b = summarize(baselineMs);
  report.section(`result page: ${PAGE} random ids, ${pages} pages`);
  report.add({
    key: 'page.vault_get_many.p50',
    // In the benchmark process, beside the baseline and the corpus generator's heap: for the ratio. The
    // target is held by the serving process's figure (footprint.ts).
    label: `vault.getMany(${PAGE}) decrypted p50, in the benchmark process`,
    value: v.p50,
    unit: 'ms',
  });
  report.add({
    key: 'page.vault_get_many.p99',
    label: `vault.getMany(${PAGE}) decrypted p99`,
    value: v.p99,
    unit: 'ms',
  });
  report.add({
    key: 'page.plaintext.p50',
    label: `baseline: ${PAGE} plaintext rows + JSON.parse p50`,
    value: b.p50,
    unit: 'ms',
  });
  report.add({
    key: 'page.plaintext.p99',
    label: `baseline: ${PAGE} plaintext rows + JSON.parse p99`,
    value: b.p99,
    unit: 'ms',
  });
  report.add({
    key: 'page.ratio_p50',
    label: 'ratio p50 vault / plaintext',
    value: v.p50 / b.p50,
    unit: '×',
  });
}

/** `count` pages of PAGE ids drawn uniformly (with a seed) from `ids`. */
export function randomPages(ids: readonly string[], count: number, seed: number): string[][] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () =>
    Array.from({ length: PAGE }, () => ids[Math.floor(random() * ids.length)]!),
  );
}
