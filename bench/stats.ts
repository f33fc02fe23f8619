/** Latency summaries. Percentiles use the nearest-rank method, so every reported figure was observed. */
export interface Summary {
  n: number;
  p50: number;
  p99: number;
  mean: number;
  max: number;
}

/** The nearest-rank percentile `p` (0–100] of samples sorted ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of no samples');
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(samples: readonly number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const sum = sorted.reduce((total, x) => total + x, 0);
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    mean: sum / sorted.length,
    max: sorted[sorted.length - 1]!,
  };
}

/** Runs `fn` and returns its result with the elapsed wall time in milliseconds. */
export function timed<T>(fn: () => T): [T, number] {
  const start = performance.now();
  const result = fn();
  return [result, performance.now() - start];
}

/**
 * Runs `a` then `b` in even rounds and `b` then `a` in odd ones, so that neither side always runs second
 * (on caches the other warmed) when a figure and its baseline are timed page by page.
 */
export function alternate(round: number, a: () => void, b: () => void): void {
  if (round % 2 === 0) {
    a();
    b();
  } else {
    b();
    a();
  }
}

/** Seeded, so query lists and id pages are the same in every run. */
export { seededRandom } from '../test/support/seeded-random.js';
