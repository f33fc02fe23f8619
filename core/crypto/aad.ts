import { utf8 } from './bytes.js';

/**
 * Additional authenticated data for every record ciphertext (design.md §3): vault id ‖ table ‖ record id ‖
 * key version ‖ format version. Each string is length-prefixed so no two different tuples encode alike,
 * and a ciphertext copied to another row, table or vault fails authentication.
 */
export interface RecordBinding {
  vaultId: string;
  table: string;
  recordId: string;
  keyVersion: number;
  formatVersion: number;
}

/** A binding that cannot be encoded unambiguously; the record it names cannot be decrypted. */
export class AadBindingError extends Error {
  override readonly name = 'AadBindingError';
}

/** A lone surrogate would become U+FFFD in UTF-8, so two different strings could encode alike. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function recordAad(binding: RecordBinding): Uint8Array {
  for (const [name, value] of [
    ['key version', binding.keyVersion],
    ['format version', binding.formatVersion],
  ] as const) {
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new AadBindingError(`${name} must be a whole number from 0 to 2^32-1`);
    }
  }
  const strings = [binding.vaultId, binding.table, binding.recordId];
  if (strings.some((s) => LONE_SURROGATE.test(s))) {
    throw new AadBindingError('vault id, table and record id must be well-formed Unicode');
  }
  const parts = strings.map(utf8);
  const out = new Uint8Array(parts.reduce((n, p) => n + 4 + p.length, 0) + 8);
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const part of parts) {
    view.setUint32(offset, part.length);
    out.set(part, offset + 4);
    offset += 4 + part.length;
  }
  view.setUint32(offset, binding.keyVersion);
  view.setUint32(offset + 4, binding.formatVersion);
  return out;
}
