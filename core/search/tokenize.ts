import type { Trace } from '../../common/trace.js';

/** A word is a run of letters and digits in any script. Longer runs are cut, as no one searches for them. */
const WORD = /[\p{L}\p{N}]+/gu;
const MAX_WORD_LENGTH = 64;

export interface Word {
  /** The normalised form: NFKC, lower case, at most 64 characters. */
  text: string;
  /** Offsets of the original run in the source text, for snippets. */
  start: number;
  end: number;
}

/** Printable ASCII only: NFKC leaves it unchanged, so the costly normalisation can be skipped. */
const ASCII = /^[\x00-\x7f]*$/;

export function normaliseWord(raw: string): string {
  const folded = ASCII.test(raw) ? raw.toLowerCase() : raw.normalize('NFKC').toLowerCase();
  return folded.length > MAX_WORD_LENGTH ? folded.slice(0, MAX_WORD_LENGTH) : folded;
}

/** Every word of `text`, in order, with its position. The same rule serves indexing, queries and phrases. */
export function words(text: string): Word[] {
  const out: Word[] = [];
  for (const match of text.matchAll(WORD)) {
    out.push({ text: normaliseWord(match[0]), start: match.index, end: match.index + match[0].length });
  }
  return out;
}

/** The first word of `text` that is in `wanted`, scanning only as far as needed (for snippets). */
export function firstWordOf(text: string, wanted: ReadonlySet<string>): Word | undefined {
  if (ASCII.test(text)) return firstAsciiWordOf(text, wanted);
  for (const match of text.matchAll(WORD)) {
    const word = normaliseWord(match[0]);
    if (wanted.has(word)) return { text: word, start: match.index, end: match.index + match[0].length };
  }
  return undefined;
}

/**
 * The same answer for ASCII text by the engine's own indexOf: each wanted word's first occurrence that
 * stands as a whole word (a run of letters and digits). A snippet is cut for every hit of a result page,
 * so this avoids a regex match per word of an 8 KiB trace.
 */
function firstAsciiWordOf(text: string, wanted: ReadonlySet<string>): Word | undefined {
  const lower = text.toLowerCase();
  let best: Word | undefined;
  for (const word of wanted) {
    for (
      let at = lower.indexOf(word);
      at !== -1 && (best === undefined || at < best.start);
      at = lower.indexOf(word, at + 1)
    ) {
      if (isAsciiWordChar(lower.charCodeAt(at - 1))) continue;
      let end = at + word.length;
      // A run longer than MAX_WORD_LENGTH is cut to its first 64 characters, so it matches a 64-character word.
      if (word.length === MAX_WORD_LENGTH) while (isAsciiWordChar(lower.charCodeAt(end))) end++;
      if (isAsciiWordChar(lower.charCodeAt(end))) continue;
      best = { text: word, start: at, end };
      break;
    }
  }
  return best;
}

function isAsciiWordChar(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
}

export function distinctWords(text: string): Set<string> {
  const out = new Set<string>();
  if (ASCII.test(text)) {
    addAsciiWords(text.toLowerCase(), out);
    return out;
  }
  for (const match of text.matchAll(WORD)) out.add(normaliseWord(match[0]));
  return out;
}

/**
 * The same rule as WORD for lower-cased ASCII text (letters and digits), by char codes: ingest tokenises
 * every trace, and a scan without match objects is several times faster than the Unicode regex.
 */
function addAsciiWords(lower: string, out: Set<string>): void {
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 0;
    if ((c >= 97 && c <= 122) || (c >= 48 && c <= 57)) {
      if (start < 0) start = i;
    } else if (start >= 0) {
      out.add(lower.slice(start, Math.min(i, start + MAX_WORD_LENGTH)));
      start = -1;
    }
  }
}

/**
 * The text a trace is searchable by: message contents, tool names, and tool arguments and results.
 * Identifiers and attributes are found through filters, not words.
 */
export function searchableText(trace: Trace): string {
  const parts: string[] = trace.messages.map((m) => m.content);
  for (const call of trace.tool_calls) {
    parts.push(call.name);
    if (call.arguments !== undefined) parts.push(stringify(call.arguments));
    if (call.result !== undefined) parts.push(stringify(call.result));
  }
  return parts.join('\n');
}

function stringify(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}
