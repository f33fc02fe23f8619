import { createReadStream } from 'node:fs';

export interface RawLine {
  /** 1-based line number in the file. */
  number: number;
  bytes: Buffer;
  /** Set instead of `bytes` holding the line when the line is longer than the limit. */
  tooLongBytes?: number;
}

/**
 * Splits a file into lines of raw bytes (LF or CRLF), without decoding: UTF-8 is checked per line so a bad
 * byte is reported with its line number. A line longer than `maxLineBytes` is not buffered whole; it is
 * reported with its size.
 */
export async function* readLines(file: string, maxLineBytes: number): AsyncGenerator<RawLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let overLimit = false;
  let number = 0;

  const finish = (): RawLine => {
    number++;
    if (overLimit) {
      const line: RawLine = { number, bytes: Buffer.alloc(0), tooLongBytes: pendingBytes };
      pending = [];
      pendingBytes = 0;
      overLimit = false;
      return line;
    }
    let bytes = pending.length === 1 ? pending[0]! : Buffer.concat(pending, pendingBytes);
    if (bytes.length > 0 && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    pending = [];
    pendingBytes = 0;
    // The buffer limit leaves room for a CR; the line itself must still fit.
    if (bytes.length > maxLineBytes) return { number, bytes: Buffer.alloc(0), tooLongBytes: bytes.length };
    return { number, bytes };
  };

  const append = (chunk: Buffer): void => {
    pendingBytes += chunk.length;
    if (overLimit) return;
    if (pendingBytes > maxLineBytes + 1) {
      overLimit = true;
      pending = [];
      return;
    }
    pending.push(chunk);
  };

  for await (const chunk of createReadStream(file, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = chunk.indexOf(0x0a, start); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      append(chunk.subarray(start, nl));
      yield finish();
      start = nl + 1;
    }
    if (start < chunk.length) append(chunk.subarray(start));
  }
  if (pendingBytes > 0) yield finish();
}
