import { join } from 'node:path';
import { PassphraseKeyProvider } from '../core/keys/passphrase-provider.js';
import { databasePath } from '../core/vault/home.js';
import { Vault } from '../core/vault/vault.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST } from '../test/support/temp.js';
import { BlobStore } from './blob-store.js';
import { batches, corpusChunks, type BenchTrace } from './corpus.js';
import { PlaintextFtsStore } from './plaintext-store.js';
import type { Report } from './report.js';

/** Traces per transaction (design.md §8). */
export const BATCH_SIZE = 100;
/**
 * Traces generated at a time and fed to each store in turn. Rotating the stores chunk by chunk spreads
 * drift on a shared machine (other jobs, disk cache) evenly over the vault and its baselines.
 */
const CHUNK_SIZE = 1_000;

export interface Stores {
  vault: Vault;
  plaintext: PlaintextFtsStore;
  blob: BlobStore | null;
  /** Every stored trace id, in insertion order. */
  ids: string[];
  files: { vault: string; plaintext: string; blob: string | null };
}

export interface IngestTimes {
  traces: number;
  vaultMs: number;
  plaintextMs: number;
  blobMs: number | null;
}

interface Sink {
  name: 'vault' | 'plaintext' | 'blob';
  /** Stores a chunk as consecutive batches of BATCH_SIZE, one transaction each. */
  put(batches: BenchTrace[][]): void | Promise<void>;
  ms: number;
}

/** Builds the vault and its baselines from the same corpus, timing only the put calls. */
export async function buildStores(
  dir: string,
  total: number,
  withBlob: boolean,
): Promise<{ stores: Stores; times: IngestTimes }> {
  const vaultHome = join(dir, 'vault');
  const files = {
    vault: databasePath(vaultHome),
    plaintext: join(dir, 'plaintext-fts5.db'),
    blob: withBlob ? join(dir, 'blob.db') : null,
  };
  const vault = await Vault.create(vaultHome, new PassphraseKeyProvider(TEST_PASSPHRASE, TEST_SCRYPT_COST));
  const plaintext = PlaintextFtsStore.create(files.plaintext);
  const blob = files.blob ? BlobStore.create(files.blob) : null;

  const sinks: Sink[] = [
    {
      name: 'vault',
      // The engine's ingest path: batches pipelined, terms of the next batch computed on the term worker
      // while the current one is written.
      put: async (chunkBatches) => {
        const expected = chunkBatches.reduce((n, b) => n + b.length, 0);
        const result = await vault.putBatches(chunkBatches);
        if (result.stored.length !== expected) {
          throw new Error(`vault stored ${result.stored.length} of ${expected} traces`);
        }
      },
      ms: 0,
    },
    { name: 'plaintext', put: (chunkBatches) => chunkBatches.forEach((b) => plaintext.put(b)), ms: 0 },
  ];
  if (blob)
    sinks.push({ name: 'blob', put: (chunkBatches) => chunkBatches.forEach((b) => blob.put(b)), ms: 0 });

  const ids: string[] = [];
  let chunkIndex = 0;
  let nextProgress = 0.1;
  for (const chunk of corpusChunks(total, CHUNK_SIZE)) {
    const chunkBatches = batches(chunk, BATCH_SIZE);
    for (let k = 0; k < sinks.length; k++) {
      const sink = sinks[(chunkIndex + k) % sinks.length]!;
      const start = performance.now();
      await sink.put(chunkBatches);
      sink.ms += performance.now() - start;
    }
    for (const trace of chunk) ids.push(trace.id);
    chunkIndex++;
    if (ids.length >= nextProgress * total) {
      process.stderr.write(
        `  ingest: ${ids.length.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}\n`,
      );
      nextProgress += 0.1;
    }
  }

  const msOf = (name: Sink['name']) => sinks.find((s) => s.name === name)?.ms ?? null;
  return {
    stores: { vault, plaintext, blob, ids, files },
    times: { traces: total, vaultMs: msOf('vault')!, plaintextMs: msOf('plaintext')!, blobMs: msOf('blob') },
  };
}

export function reportIngest(report: Report, times: IngestTimes): void {
  const rate = (ms: number) => times.traces / (ms / 1000);
  const vault = rate(times.vaultMs);
  const plaintext = rate(times.plaintextMs);
  report.section(
    `ingest: 8 KiB traces, ${BATCH_SIZE} per transaction, ${times.traces.toLocaleString('en-US')} traces`,
  );
  report.add({
    key: 'ingest.vault',
    label: 'vault.putBatches (encrypted + blind index, terms on a worker)',
    value: vault,
    unit: 'traces/s',
  });
  report.add({
    key: 'ingest.plaintext_fts5',
    label: 'baseline (a): plaintext JSON + FTS5 over message text',
    value: plaintext,
    unit: 'traces/s',
  });
  if (times.blobMs !== null) {
    report.add({
      key: 'ingest.blob',
      label: 'baseline (b): id + JSON BLOB, no index',
      value: rate(times.blobMs),
      unit: 'traces/s',
    });
  }
  report.add({
    key: 'ingest.ratio_vs_fts5',
    label: 'ratio vault / plaintext-FTS5',
    value: vault / plaintext,
    unit: '×',
    target: { op: '>=', value: 0.7 },
  });
  if (times.blobMs !== null) {
    report.add({
      key: 'ingest.ratio_vs_blob',
      label: 'ratio vault / BLOB',
      value: vault / rate(times.blobMs),
      unit: '×',
    });
  }
}
