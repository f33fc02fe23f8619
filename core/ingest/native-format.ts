import { describeIssues, TraceInputSchema } from '../../common/trace.js';
import { decodeJsonLine, isBlank } from './decode-line.js';
import { readLines } from './line-reader.js';
import type { SourceRecord, TraceSource } from './source.js';

/** The native JSON Lines format: one trace per line (common/trace.ts). */
export const readNativeTraces: TraceSource = async function* (file, options): AsyncGenerator<SourceRecord> {
  let bytesRead = 0;
  for await (const line of readLines(file, options.maxTraceBytes)) {
    bytesRead += (line.tooLongBytes ?? line.bytes.length) + 1;
    options.onBytes?.(bytesRead);
    const where = `line ${line.number}`;
    if (line.tooLongBytes !== undefined) {
      yield {
        ok: false,
        where,
        line: line.number,
        reason: `trace is ${line.tooLongBytes} bytes, over the limit of ${options.maxTraceBytes} bytes`,
      };
      continue;
    }
    const bytes = line.number === 1 ? stripBom(line.bytes) : line.bytes;
    if (isBlank(bytes)) continue;
    const decoded = decodeJsonLine(bytes);
    if (!decoded.ok) {
      yield { ok: false, where, line: line.number, reason: decoded.reason };
      continue;
    }
    const parsed = TraceInputSchema.safeParse(decoded.value);
    if (!parsed.success) {
      yield { ok: false, where, line: line.number, reason: describeIssues(parsed.error) };
      continue;
    }
    yield { ok: true, where, line: line.number, trace: parsed.data, identity: bytes };
  }
};

function stripBom(bytes: Buffer): Buffer {
  return bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
}
