import type { z } from 'zod';
import type { TraceInputSchema } from '../../common/trace.js';

export type ParsedTrace = z.output<typeof TraceInputSchema>;

/** One record read from an import file: a trace to store, or a reason it was refused. */
export type SourceRecord =
  | {
      ok: true;
      /** Where it came from, for messages: "line 12", "session s-1 (lines 3-9)". */
      where: string;
      line: number;
      trace: ParsedTrace;
      /** Bytes that identify the record, used to derive a stable id when the trace has none. */
      identity: Uint8Array;
    }
  | { ok: false; where: string; line: number; reason: string };

export interface SourceOptions {
  maxTraceBytes: number;
  /** Called as bytes are consumed, for progress bars. */
  onBytes?: (bytesRead: number) => void;
}

export type TraceSource = (file: string, options: SourceOptions) => AsyncGenerator<SourceRecord>;
