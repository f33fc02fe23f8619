/**
 * Child process for the serving figures: opens a built vault the way an app would, serves searches and
 * result pages, and prints its RSS and the time of each page as JSON. The benchmark process itself holds
 * the baselines and the corpus generator's garbage, so only a fresh process says what the vault costs.
 *
 * Two phases. First the vault alone (searches, then result pages), after which the RSS is read: the
 * memory figure is the vault's own. Then both database files are read through once, so that both sit in
 * the OS page cache as they do on a machine that has been using them, and a second set of pages is
 * timed through the vault and through the plaintext baseline in alternating order: both latencies share
 * the same moment of a shared machine, whose speed drifts run to run by more than the gap between them.
 *
 *   node --expose-gc dist/bench/rss-probe.js <input.json>   (input: ProbeInput)
 */
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { PassphraseKeyProvider } from '../core/keys/passphrase-provider.js';
import { databasePath } from '../core/vault/home.js';
import { Vault } from '../core/vault/vault.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST } from '../test/support/temp.js';
import { PlaintextFtsStore } from './plaintext-store.js';
import { alternate, timed } from './stats.js';

export interface ProbeInput {
  home: string;
  /** The plaintext-with-FTS5 database built from the same corpus: the latency baseline. */
  plaintext: string;
  queries: string[];
  /** Result pages of the first phase (vault only, untimed). */
  pages: string[][];
  /** Result pages of the second phase, each timed through the vault and the baseline. */
  timedPages: string[][];
}

export interface ProbeOutput {
  /** After the searches and the vault's pages, before the baseline is opened. */
  rss: number;
  heapUsed: number;
  /** Milliseconds of each page of the second phase, through the vault and through the baseline. */
  pageMs: number[];
  baselineMs: number[];
}

async function main(): Promise<void> {
  const input = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ProbeInput;
  const vault = await Vault.open(input.home, new PassphraseKeyProvider(TEST_PASSPHRASE, TEST_SCRYPT_COST));
  try {
    for (const query of input.queries) vault.search({ query, limit: 50 });
    for (const page of input.pages) vault.getMany(page);
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();

    readThrough(databasePath(input.home));
    readThrough(input.plaintext);
    const plaintext = PlaintextFtsStore.open(input.plaintext);
    try {
      const pageMs: number[] = [];
      const baselineMs: number[] = [];
      input.timedPages.forEach((page, i) =>
        alternate(
          i,
          () => pageMs.push(timed(() => vault.getMany(page))[1]),
          () => baselineMs.push(timed(() => plaintext.getMany(page))[1]),
        ),
      );
      const output: ProbeOutput = { rss, heapUsed, pageMs, baselineMs };
      process.stdout.write(JSON.stringify(output));
    } finally {
      plaintext.close();
    }
  } finally {
    vault.close();
  }
}

/** Reads a file from start to end into one reused buffer: into the OS page cache, not into this process. */
function readThrough(file: string): void {
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
