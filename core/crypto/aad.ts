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

export function recordAad(binding: RecordBinding): Uint8Array {
  const parts = [binding.vaultId, binding.table, binding.recordId].map(utf8);
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
