import { createHmac } from 'node:crypto';

/** Blind-index tokens are HMACs truncated to 16 bytes (design.md §4), written as 32 hex characters. */
export const BLIND_TOKEN_BYTES = 16;

/** The blind-index token of one normalised word under the vault's term key. */
export function blindToken(termKey: Uint8Array, word: string): string {
  return createHmac('sha256', termKey).update(word).digest().subarray(0, BLIND_TOKEN_BYTES).toString('hex');
}
