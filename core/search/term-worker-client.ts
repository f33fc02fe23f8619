import { Worker } from 'node:worker_threads';
import type { TermRequest, TermResponse } from './term-worker-protocol.js';

interface Pending {
  resolve(terms: string[]): void;
  reject(error: Error): void;
}

/**
 * The engine's side of the term worker: requests are answered in order, and the worker holds the
 * process open only while a request is outstanding.
 */
export class TermWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private closed = false;

  constructor(termKey: Uint8Array) {
    // workerData is copied into the worker; the caller keeps (and later wipes) its own copy.
    this.worker = new Worker(new URL('./term-worker.js', import.meta.url), { workerData: { termKey } });
    this.worker.unref();
    this.worker.on('message', (response: TermResponse) => this.settle(response));
    this.worker.on('error', (error) => this.failAll(error));
    this.worker.on('exit', () => this.failAll(new Error('the term worker stopped')));
  }

  /** Blind-index terms for each text, in order (as TermDictionary.tokensOf gives them). */
  tokenize(texts: string[]): Promise<string[]> {
    if (this.closed) return Promise.reject(new Error('the term worker is closed'));
    const id = this.nextId++;
    const request: TermRequest = { type: 'tokenize', id, texts };
    return new Promise<string[]>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      if (this.pending.size === 1) this.worker.ref();
      this.worker.postMessage(request);
    });
  }

  /** Tells the worker to wipe its key and stop. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    const request: TermRequest = { type: 'close' };
    this.worker.postMessage(request);
    this.failAll(new Error('the term worker is closed'));
  }

  private settle(response: TermResponse): void {
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in response) pending.reject(new Error(response.error));
    else pending.resolve(response.terms);
  }

  private failAll(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    this.worker.unref();
  }
}
