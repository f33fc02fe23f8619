/** Messages between the engine and its term worker (term-worker.ts). */
export type TermRequest = { type: 'tokenize'; id: number; texts: string[] } | { type: 'close' };

export type TermResponse = { id: number; terms: string[] } | { id: number; error: string };
