import type { TraceInput } from '../common/trace.js';
import { TraceFactory } from '../test/support/synthetic-traces.js';

export type BenchTrace = TraceInput & { id: string };

/** Seed of the benchmark corpus: every run stores the same traces in the same order. */
export const CORPUS_SEED = 20_260_101;

/**
 * The synthetic corpus, generated in chunks and held in memory one chunk at a time. Each chunk is handed
 * to every store, so the vault and its baselines ingest identical trace objects, while the process never
 * holds the whole corpus (about 1.6 GB of objects at 100k traces) and the RSS figure stays meaningful.
 */
export function* corpusChunks(total: number, chunkSize: number): Generator<BenchTrace[]> {
  const factory = new TraceFactory(CORPUS_SEED);
  for (let done = 0; done < total; done += chunkSize) {
    const size = Math.min(chunkSize, total - done);
    yield Array.from({ length: size }, () => factory.trace());
  }
}

/** Splits a chunk into transactions of `size` traces. */
export function batches<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
