import type { TermFrequency } from './plaintext-store.js';
import { seededRandom } from './stats.js';

export type Band = 'frequent' | 'mid' | 'rare';

/** Bands of document frequency (share of traces holding the word). The Zipf corpus fills all three. */
const BANDS: Record<Band, { min: number; max: number }> = {
  frequent: { min: 0.3, max: 1 },
  mid: { min: 0.01, max: 0.1 },
  rare: { min: 0, max: 0.003 },
};

/** Pair kinds, from the costliest for an inverted index (two long doclists) to the cheapest. */
const KINDS: readonly [Band, Band][] = [
  ['frequent', 'frequent'],
  ['frequent', 'mid'],
  ['frequent', 'rare'],
  ['mid', 'mid'],
  ['mid', 'rare'],
  ['rare', 'rare'],
];

export interface WordQuery {
  /** e.g. `frequent+rare` */
  kind: string;
  /** Two distinct words, joined by a space: AND in both the vault and FTS5. */
  text: string;
}

/** `count` two-word queries spread evenly over the pair kinds; the same list in every run of a size. */
export function chooseQueries(terms: readonly TermFrequency[], traces: number, count: number): WordQuery[] {
  const byBand = new Map<Band, string[]>();
  for (const band of Object.keys(BANDS) as Band[]) {
    const { min, max } = BANDS[band];
    const words = terms
      .filter((t) => t.docs / traces >= min && t.docs / traces <= max)
      .map((t) => t.term)
      .sort();
    if (words.length < 2) {
      throw new Error(`only ${words.length} ${band} words at ${traces} traces: use more traces`);
    }
    byBand.set(band, words);
  }
  const random = seededRandom(7);
  const pick = (band: Band) => {
    const words = byBand.get(band)!;
    return words[Math.floor(random() * words.length)]!;
  };
  const queries: WordQuery[] = [];
  for (let i = 0; i < count; i++) {
    const [a, b] = KINDS[i % KINDS.length]!;
    const first = pick(a);
    let second = pick(b);
    while (second === first) second = pick(b);
    queries.push({ kind: `${a}+${b}`, text: `${first} ${second}` });
  }
  return queries;
}

/** A seeded Fisher–Yates shuffle (a new array). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
