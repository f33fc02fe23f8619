import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Trace } from '../../common/trace.js';
import type { PutResult } from '../store/trace-store.js';

/** Where pipelined batches go: terms computed off the main thread, then one transaction per batch. */
export interface PipelineSink {
  blindTermsAsync(traces: readonly Trace[]): Promise<string[]>;
  putBatch(traces: readonly Trace[], terms: readonly string[]): PutResult;
}

interface Job {
  traces: readonly Trace[];
  terms: Promise<string[]>;
}

/**
 * Two-stage ingest: while batch k is written to SQLite on the main thread, the term worker tokenises and
 * HMACs batch k+1 on the other core. Batches commit in order, one transaction each, and `onCommitted` is
 * called after each commit, never before: acknowledgement still means durable.
 */
export class BatchPipeline {
  private inFlight: Job | undefined;

  constructor(
    private readonly sink: PipelineSink,
    private readonly onCommitted: (result: PutResult) => void,
  ) {}

  /** Starts the terms of `traces`, then writes the batch queued before it. */
  async push(traces: readonly Trace[]): Promise<void> {
    const terms = this.sink.blindTermsAsync(traces);
    // If writing the earlier batch fails, this promise is never awaited; its failure is not news.
    terms.catch(() => undefined);
    await this.drain();
    this.inFlight = { traces, terms };
  }

  /** Writes the batch still queued, if any. */
  async drain(): Promise<void> {
    const job = this.inFlight;
    if (!job) return;
    this.inFlight = undefined;
    const terms = await job.terms;
    this.onCommitted(this.sink.putBatch(job.traces, terms));
    // When the worker keeps ahead, every await above resolves at once and a long ingest would run in
    // microtasks alone, starving reads and requests; one turn of the event loop per batch lets them in.
    await nextTurn();
  }
}
