/** Search requests, shared by the command line, the desktop app and the local API. */
export type SearchOrder = 'newest' | 'best';

export interface TraceFilter {
  agentId?: string;
  userId?: string;
  subjectId?: string;
  /** Inclusive lower bound on started_at (ISO 8601). */
  from?: string;
  /** Exclusive upper bound on started_at (ISO 8601). */
  to?: string;
}

export interface SearchRequest extends TraceFilter {
  /** Words are ANDed; "quoted phrases" must appear as written (after normalisation). */
  query: string;
  order?: SearchOrder;
  limit?: number;
  offset?: number;
}

export interface SearchHit {
  id: string;
  agentId: string;
  startedAt: string;
  /** A short excerpt around the first match, cut from the decrypted trace in memory. */
  snippet: string;
}

export interface SearchResult {
  hits: SearchHit[];
  /** True when more hits follow this page. */
  hasMore: boolean;
}
