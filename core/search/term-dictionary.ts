import { distinctWords } from './tokenize.js';

/** Entries before the dictionary starts over; bounds memory (words and tokens) on huge vocabularies. */
const DEFAULT_CAPACITY = 1 << 18;
const MAX_WORD_LENGTH = 64;
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Maps a trace's distinct words to their blind-index tokens, HMAC-ing each word once per process.
 *
 * Ingest hashes every word of every trace, so this is the hot path of design.md §8's ingest target. For
 * ASCII text it finds words by char code and looks them up by an FNV-1a hash computed during the same
 * scan, in an open-addressing table keyed by that hash: no string is allocated for a word already known,
 * and a word is deduplicated within a trace by a per-entry stamp instead of a Set. Text with other
 * characters goes through the general tokenizer (NFKC, Unicode letters) and the same table.
 * The rule for what a word is stays the one in tokenize.ts; tests hold the two paths equal.
 */
export class TermDictionary {
  private slots: Int32Array;
  private hashes: Int32Array;
  private stamps: Int32Array;
  private readonly words: string[] = [];
  private readonly tokens: string[] = [];
  private mask: number;
  private stamp = 0;

  constructor(
    private readonly tokenOf: (word: string) => string,
    private readonly capacity = DEFAULT_CAPACITY,
  ) {
    this.slots = new Int32Array(capacity * 2);
    this.hashes = new Int32Array(capacity);
    this.stamps = new Int32Array(capacity);
    this.mask = capacity * 2 - 1;
  }

  /** The tokens of every distinct word of `text`, space-separated, in order of first appearance. */
  tokensOf(text: string): string {
    this.nextStamp();
    const out: string[] = [];
    if (ASCII.test(text)) {
      this.scanAscii(text.toLowerCase(), out);
    } else {
      for (const word of distinctWords(text)) out.push(this.tokens[this.entryOf(word)]!);
    }
    return out.join(' ');
  }

  /** The token of one normalised word. */
  token(word: string): string {
    return this.tokens[this.entryOf(word)]!;
  }

  get size(): number {
    return this.words.length;
  }

  /** Forgets every word and token (on lock, and when full). */
  clear(): void {
    this.slots.fill(0);
    // Emptied in place, not replaced: a caller may hold these arrays across a clear in mid-lookup.
    this.words.length = 0;
    this.tokens.length = 0;
    // The stamp goes on: a clear in mid-trace must not make new entries look already seen (stamp 0).
    this.stamps.fill(0);
  }

  private scanAscii(lower: string, out: string[]): void {
    let start = -1;
    let hash = 0;
    for (let i = 0; i <= lower.length; i++) {
      const c = i < lower.length ? lower.charCodeAt(i) : 0;
      if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
        if (start < 0) {
          start = i;
          hash = 0x811c9dc5;
        }
        // Words are cut at 64 characters (tokenize.ts); the hash covers exactly what is kept.
        if (i - start < MAX_WORD_LENGTH) hash = Math.imul(hash ^ c, 0x01000193);
      } else if (start >= 0) {
        const end = Math.min(i, start + MAX_WORD_LENGTH);
        const entry = this.entryAt(lower, start, end, hash | 0);
        if (this.stamps[entry] !== this.stamp) {
          this.stamps[entry] = this.stamp;
          out.push(this.tokens[entry]!);
        }
        start = -1;
      }
    }
  }

  /** The entry for lower[start, end), created (and HMAC'd) on first sight. */
  private entryAt(lower: string, start: number, end: number, hash: number): number {
    for (let slot = hash & this.mask; ; slot = (slot + 1) & this.mask) {
      const stored = this.slots[slot]!;
      if (stored === 0) return this.insert(lower.slice(start, end), hash, slot);
      const entry = stored - 1;
      if (this.hashes[entry] === hash && sameChars(this.words[entry]!, lower, start, end)) return entry;
    }
  }

  private entryOf(word: string): number {
    const entry = this.entryAt(word, 0, word.length, fnv1a(word, 0, word.length));
    this.stamps[entry] = this.stamp;
    return entry;
  }

  private insert(word: string, hash: number, slot: number): number {
    if (this.words.length >= this.capacity) {
      this.clear();
      return this.entryAt(word, 0, word.length, hash);
    }
    const entry = this.words.length;
    this.words.push(word);
    this.tokens.push(this.tokenOf(word));
    this.hashes[entry] = hash;
    this.slots[slot] = entry + 1;
    return entry;
  }

  private nextStamp(): void {
    this.stamp++;
    if (this.stamp === 0x7fffffff) {
      this.stamps.fill(0);
      this.stamp = 1;
    }
  }
}

/** 32-bit FNV-1a over UTF-16 code units of s[start, end). */
function fnv1a(s: string, start: number, end: number): number {
  let hash = 0x811c9dc5;
  for (let i = start; i < Math.min(end, start + MAX_WORD_LENGTH); i++)
    hash = Math.imul(hash ^ s.charCodeAt(i), 0x01000193);
  return hash | 0;
}

function sameChars(word: string, text: string, start: number, end: number): boolean {
  if (word.length !== end - start) return false;
  for (let i = 0; i < word.length; i++) if (word.charCodeAt(i) !== text.charCodeAt(start + i)) return false;
  return true;
}
