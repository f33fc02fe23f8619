import type { TraceInput } from '../../common/trace.js';

/**
 * Deterministic synthetic traces: Zipf-distributed words from a fixed vocabulary, so a trace of about
 * 8 KiB has about 530 distinct words (design.md §8), and runs are repeatable from a seed.
 */
export class TraceFactory {
  private state: number;
  readonly vocabulary: string[];

  constructor(seed = 1, vocabularySize = 30_000) {
    this.state = seed >>> 0 || 1;
    // Offset past the 70 two-letter words, so words run 4-6 letters like common English ones.
    this.vocabulary = Array.from({ length: vocabularySize }, (_, i) => syllables(i + 70));
  }

  /** A uniform float in [0, 1) from a xorshift32 generator. */
  random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 2 ** 32;
  }

  int(limit: number): number {
    return Math.floor(this.random() * limit);
  }

  /** A word drawn with a Zipf-like skew: low ranks are frequent. */
  word(): string {
    const rank = Math.floor(this.vocabulary.length ** (this.random() ** 2.2)) - 1;
    return this.vocabulary[Math.max(0, rank)]!;
  }

  text(approxBytes: number): string {
    const out: string[] = [];
    let size = 0;
    while (size < approxBytes) {
      const w = this.word();
      out.push(w);
      size += w.length + 1;
    }
    return out.join(' ');
  }

  trace(
    options: {
      id?: string;
      bytes?: number;
      agents?: number;
      users?: number;
      subjects?: number;
      extra?: string;
    } = {},
  ): TraceInput & { id: string } {
    const bytes = options.bytes ?? 8192;
    const started = Date.UTC(2026, 0, 1) + this.int(300 * 24 * 3600) * 1000;
    const half = Math.floor(bytes / 2);
    const subjects = options.subjects ?? 0;
    return {
      id: options.id ?? `t-${this.int(2 ** 31).toString(36)}-${this.int(2 ** 31).toString(36)}`,
      agent_id: `agent-${this.int(options.agents ?? 5)}`,
      user_id: `user-${this.int(options.users ?? 20)}`,
      ...(subjects > 0 ? { subject_id: `patient-${this.int(subjects)}` } : {}),
      session_id: `s-${this.int(1000)}`,
      model: 'gpt-test',
      started_at: new Date(started).toISOString(),
      ended_at: new Date(started + 5000).toISOString(),
      messages: [
        { role: 'user', content: this.text(half) + (options.extra ? ` ${options.extra}` : '') },
        { role: 'assistant', content: this.text(bytes - half) },
      ],
      tool_calls: [],
      attributes: { 'user.country': 'US' },
      metadata: {},
    };
  }
}

/** Pronounceable, distinct, lower-case words: 0 → "ba", 1 → "be", … */
function syllables(n: number): string {
  const consonants = 'bdfgklmnprstvz';
  const vowels = 'aeiou';
  let word = '';
  let i = n;
  do {
    word += consonants[i % consonants.length]! + vowels[Math.floor(i / consonants.length) % vowels.length]!;
    i = Math.floor(i / (consonants.length * vowels.length));
  } while (i > 0);
  return word;
}
