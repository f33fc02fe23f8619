import { statSync } from 'node:fs';
import { ErrorCode, VaultError } from '../../common/errors.js';
import type { Trace } from '../../common/trace.js';
import { BatchPipeline, type PipelineSink } from './batch-pipeline.js';
import { readMirrorDnaTraces } from './mirrordna-format.js';
import { readNativeTraces } from './native-format.js';
import type { TraceSource } from './source.js';

export const IMPORT_FORMATS = { native: readNativeTraces, mirrordna: readMirrorDnaTraces } satisfies Record<
  string,
  TraceSource
>;
export type ImportFormat = keyof typeof IMPORT_FORMATS;

export const DEFAULT_BATCH_SIZE = 100;
export const DEFAULT_MAX_TRACE_BYTES = 10 * 1024 * 1024;
/** A batch is also flushed at this many bytes, so ten large traces do not sit in memory at once. */
const MAX_BATCH_BYTES = 32 * 1024 * 1024;

export interface Rejection {
  line: number;
  where: string;
  reason: string;
}

export interface ImportProgress {
  bytesRead: number;
  totalBytes: number;
  stored: number;
  duplicates: number;
  rejected: number;
}

export interface ImportOptions {
  format?: ImportFormat;
  /** Stop at the first bad record instead of reporting it and going on. */
  strict?: boolean;
  batchSize?: number;
  maxTraceBytes?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Called after each batch is durable, with the ids it stored. */
  onBatchCommitted?: (ids: readonly string[]) => void;
}

export interface ImportReport {
  stored: number;
  duplicates: number;
  rejected: Rejection[];
  batches: number;
}

/** Where an import writes: the vault's trace store, and a stable id for traces that bring none. */
export interface ImportSink extends PipelineSink {
  idFor(identity: Uint8Array): string;
}

/**
 * Reads a file of traces and stores them in batches. A trace counts as stored only after its batch
 * committed; `onBatchCommitted` is the acknowledgement. Bad records are reported with where and why, and
 * the good ones kept (unless strict). Re-importing adds nothing twice: ids decide.
 */
export async function importFile(
  sink: ImportSink,
  file: string,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const format = options.format ?? 'native';
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const maxTraceBytes = options.maxTraceBytes ?? DEFAULT_MAX_TRACE_BYTES;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      `batch size must be a whole number of 1 or more, got ${batchSize}`,
    );
  }
  let totalBytes: number;
  try {
    totalBytes = statSync(file).size;
  } catch (error) {
    throw new VaultError(
      ErrorCode.BAD_INPUT,
      `cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
    );
  }

  const report: ImportReport = { stored: 0, duplicates: 0, rejected: [], batches: 0 };
  let bytesRead = 0;
  let batch: Trace[] = [];
  let batchBytes = 0;
  const progress = () =>
    options.onProgress?.({
      bytesRead,
      totalBytes,
      stored: report.stored,
      duplicates: report.duplicates,
      rejected: report.rejected.length,
    });
  const pipeline = new BatchPipeline(sink, (result) => {
    report.batches++;
    report.stored += result.stored.length;
    report.duplicates += result.duplicates.length;
    options.onBatchCommitted?.(result.stored);
    progress();
  });
  const flush = async () => {
    if (batch.length === 0) return;
    const full = batch;
    batch = [];
    batchBytes = 0;
    await pipeline.push(full);
  };

  const source = IMPORT_FORMATS[format](file, { maxTraceBytes, onBytes: (n) => (bytesRead = n) });
  for await (const record of source) {
    if (!record.ok) {
      report.rejected.push({ line: record.line, where: record.where, reason: record.reason });
      if (options.strict) {
        await flush();
        await pipeline.drain();
        throw new VaultError(
          ErrorCode.BAD_INPUT,
          `${file}, ${record.where}: ${record.reason} (stopped: --strict; ${report.stored} traces before it were stored)`,
        );
      }
      continue;
    }
    batch.push({ ...record.trace, id: record.trace.id ?? sink.idFor(record.identity) });
    batchBytes += record.identity.length;
    if (batch.length >= batchSize || batchBytes >= MAX_BATCH_BYTES) await flush();
  }
  await flush();
  await pipeline.drain();
  bytesRead = totalBytes;
  progress();
  return report;
}
