import { ErrorCode, VaultError } from '../../common/errors.js';
import { words } from './tokenize.js';

export interface ParsedQuery {
  /** Every distinct word that must appear (phrase words included). */
  required: string[];
  /** Phrases of two or more words that must appear in order, as normalised word lists. */
  phrases: string[][];
}

const MAX_QUERY_WORDS = 32;

/** Parses `words and "quoted phrases"`. All parts are ANDed. */
export function parseQuery(query: string): ParsedQuery {
  if ((query.match(/"/g) ?? []).length % 2 === 1) {
    // The query itself is not repeated: people search for names, and errors reach logs.
    throw new VaultError(ErrorCode.BAD_INPUT, 'search query has an unclosed quote (")');
  }
  const required = new Set<string>();
  const phrases: string[][] = [];
  query.split('"').forEach((part, index) => {
    const partWords = words(part).map((w) => w.text);
    partWords.forEach((w) => required.add(w));
    const insideQuotes = index % 2 === 1;
    if (insideQuotes && partWords.length > 1) phrases.push(partWords);
  });
  if (required.size === 0) {
    throw new VaultError(ErrorCode.BAD_INPUT, 'search query has no words to look for');
  }
  if (required.size > MAX_QUERY_WORDS) {
    throw new VaultError(ErrorCode.BAD_INPUT, `search query has more than ${MAX_QUERY_WORDS} distinct words`);
  }
  return { required: [...required], phrases };
}

/** True when `haystack` (normalised words in order) holds `phrase` as consecutive words. */
export function containsPhrase(haystack: string[], phrase: string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= haystack.length; i++) {
    for (let j = 0; j < phrase.length; j++) {
      if (haystack[i + j] !== phrase[j]) continue outer;
    }
    return true;
  }
  return false;
}
