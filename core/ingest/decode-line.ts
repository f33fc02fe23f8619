const decoder = new TextDecoder('utf-8', { fatal: true });

export type Decoded = { ok: true; value: unknown } | { ok: false; reason: string };

/** Strict UTF-8, then JSON. Says which of the two failed, and where in the line for a bad byte. */
export function decodeJsonLine(bytes: Uint8Array): Decoded {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return {
      ok: false,
      reason: `not valid UTF-8 (first bad byte at offset ${firstInvalidUtf8Offset(bytes)})`,
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (error) {
    // V8's message quotes the text it failed on, and a rejected line is still trace content: keep only
    // the position.
    const position = /at position (\d+)/.exec((error as Error).message)?.[1];
    return {
      ok: false,
      reason: position === undefined ? 'not valid JSON' : `not valid JSON (at character ${position})`,
    };
  }
}

/** Offset of the first byte that breaks UTF-8; the decoder itself does not say. */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let low = 0;
  let high = bytes.length;
  // The shortest prefix that fails to decode ends at the bad sequence.
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (decodesAsPrefix(bytes.subarray(0, mid + 1))) low = mid + 1;
    else high = mid;
  }
  return low;
}

function decodesAsPrefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

export function isBlank(bytes: Uint8Array): boolean {
  for (const b of bytes) if (b !== 0x20 && b !== 0x09 && b !== 0x0d) return false;
  return true;
}
