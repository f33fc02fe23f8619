/**
 * Child process for the serving figures: opens a built vault the way an app would, serves searches and
 * result pages, and prints its RSS and the time of each page as JSON. The benchmark process itself holds the baselines and the
 * corpus generator's garbage, so only a fresh process says what the vault costs.
 *
 *   node --expose-gc dist/bench/rss-probe.js <input.json>   (input: { home, queries, pages })
 */
import { readFileSync } from 'node:fs';
import { PassphraseKeyProvider } from '../core/keys/passphrase-provider.js';
import { Vault } from '../core/vault/vault.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST } from '../test/support/temp.js';

export interface ProbeInput {
  home: string;
  queries: string[];
  pages: string[][];
}

export interface ProbeOutput {
  rss: number;
  heapUsed: number;
  /** Milliseconds of each vault.getMany page, in order. */
  pageMs: number[];
}

async function main(): Promise<void> {
  const input = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as ProbeInput;
  const vault = await Vault.open(input.home, new PassphraseKeyProvider(TEST_PASSPHRASE, TEST_SCRYPT_COST));
  try {
    for (const query of input.queries) vault.search({ query, limit: 50 });
    const pageMs: number[] = [];
    for (const page of input.pages) {
      const start = performance.now();
      vault.getMany(page);
      pageMs.push(performance.now() - start);
    }
    (globalThis as { gc?: () => void }).gc?.();
    const { rss, heapUsed } = process.memoryUsage();
    const output: ProbeOutput = { rss, heapUsed, pageMs };
    process.stdout.write(JSON.stringify(output));
  } finally {
    vault.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
