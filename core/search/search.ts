import { ErrorCode, VaultError } from '../../common/errors.js';
import type { SearchHit, SearchRequest, SearchResult } from '../../common/search.js';
import type { Trace } from '../../common/trace.js';
import type { Keyring } from '../keys/keyring.js';
import type { TraceStore } from '../store/trace-store.js';
import { containsPhrase, parseQuery } from './query.js';
import { firstWordOf, searchableText, words } from './tokenize.js';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 1000;
const SNIPPET_RADIUS = 60;

/**
 * Search over the blind index (design.md §4): query words become HMAC tokens, SQLite's FTS5 finds the
 * traces holding all of them, and only those candidates are decrypted, in memory, for phrases and snippets.
 */
export class TraceSearch {
  constructor(
    private readonly store: TraceStore,
    private readonly keyring: Keyring,
  ) {}

  /** The index half alone: ids of one page, no decryption. Exact for queries without phrases. */
  ids(request: SearchRequest): string[] {
    const { limit, offset } = pageOf(request);
    const query = parseQuery(request.query);
    const tokens = query.required.map((w) => this.keyring.termToken(w));
    return this.store.candidatePage(tokens, request, request.order ?? 'newest', { limit, offset });
  }

  search(request: SearchRequest): SearchResult {
    const { limit, offset } = pageOf(request);
    const query = parseQuery(request.query);
    const tokens = query.required.map((w) => this.keyring.termToken(w));
    const order = request.order ?? 'newest';

    if (query.phrases.length === 0) {
      const ids = this.store.candidatePage(tokens, request, order, { limit: limit + 1, offset });
      const traces = this.store.getMany(ids.slice(0, limit));
      return { hits: traces.map((t) => toHit(t, query.required)), hasMore: ids.length > limit };
    }

    // Phrases need the words in order, which the index does not keep: decrypt candidates and check.
    const hits: SearchHit[] = [];
    let skipped = 0;
    let hasMore = false;
    for (const id of this.store.candidates(tokens, request, order)) {
      const [trace] = this.store.getMany([id]);
      if (!trace) continue;
      const traceWords = words(searchableText(trace)).map((w) => w.text);
      if (!query.phrases.every((p) => containsPhrase(traceWords, p))) continue;
      if (skipped < offset) {
        skipped++;
        continue;
      }
      if (hits.length === limit) {
        hasMore = true;
        break;
      }
      hits.push(toHit(trace, query.required));
    }
    return { hits, hasMore };
  }
}

function pageOf(request: SearchRequest): { limit: number; offset: number } {
  const limit = request.limit ?? DEFAULT_PAGE_SIZE;
  const offset = request.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      `limit must be a whole number from 1 to ${MAX_PAGE_SIZE}, got ${limit}`,
    );
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new VaultError(ErrorCode.BAD_INPUT, `offset must be a whole number of 0 or more, got ${offset}`);
  }
  return { limit, offset };
}

function toHit(trace: Trace, required: string[]): SearchHit {
  return {
    id: trace.id,
    agentId: trace.agent_id,
    startedAt: trace.started_at,
    snippet: snippet(trace, required),
  };
}

/** A short excerpt of the decrypted text around the first query word, on one line. */
export function snippet(trace: Trace, required: string[]): string {
  const text = searchableText(trace);
  const first = firstWordOf(text, new Set(required));
  if (!first) return '';
  const start = Math.max(0, first.start - SNIPPET_RADIUS);
  const end = Math.min(text.length, first.end + SNIPPET_RADIUS);
  const body = text.slice(start, end).replace(/\s+/g, ' ').trim();
  return `${start > 0 ? '…' : ''}${body}${end < text.length ? '…' : ''}`;
}
