/**
 * Sensitive values in the audit log (design.md §5): query words, subject ids, user names an operation
 * named are never stored in clear. The log holds their HMACs under the audit key, so an auditor who knows
 * a value can find the rows that named it, and someone reading the file cannot learn it.
 */

/** Bytes of each HMAC kept: 128 bits is beyond collision by chance in any log, and halves the column. */
export const AUDIT_MAC_BYTES = 16;

/**
 * The form a value is HMAC'd in, so the same word typed differently maps to one mac: NFKC (full-width and
 * compatibility forms fold to plain ones), trimmed, lower-cased. NFKC again after lower-casing, as a few
 * lower-case mappings produce sequences NFKC would compose.
 */
export function normalizeSensitive(value: string): string {
  return value.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

/**
 * The hex macs of `values`, normalised, empty ones skipped, each value once, in first-seen order. `mac` is
 * the audit key's HMAC (the caller holds the key). For a query string, pass the whole string and each word.
 */
export function sensitiveMacs(values: readonly string[], mac: (value: string) => Uint8Array): string[] {
  const seen = new Set<string>();
  const macs: string[] = [];
  for (const value of values) {
    const normal = normalizeSensitive(value);
    if (normal === '' || seen.has(normal)) continue;
    seen.add(normal);
    const digest = mac(normal);
    if (digest.length < AUDIT_MAC_BYTES) {
      throw new Error(`an audit mac must be at least ${AUDIT_MAC_BYTES} bytes, got ${digest.length}`);
    }
    macs.push(Buffer.from(digest.buffer, digest.byteOffset, AUDIT_MAC_BYTES).toString('hex'));
  }
  return macs;
}
