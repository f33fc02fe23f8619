/**
 * Token labels are fixed 32-byte UTF-8 fields padded with spaces (PKCS#11 v2.40 §3.2, CK_TOKEN_INFO.label;
 * C_InitToken's pLabel is the same 32 bytes, §5.6). pkcs11js pads with NUL instead, so the facade pads
 * itself, and trims both kinds of padding when it reads a label back.
 */
export const TOKEN_LABEL_BYTES = 32;

/** The label padded with spaces to 32 bytes; throws if it does not fit. */
export function padTokenLabel(label: string): string {
  const length = Buffer.byteLength(label, 'utf8');
  if (length > TOKEN_LABEL_BYTES) {
    throw new RangeError(`a token label is at most ${TOKEN_LABEL_BYTES} bytes of UTF-8, got ${length}`);
  }
  return label + ' '.repeat(TOKEN_LABEL_BYTES - length);
}

/** A label as read from CK_TOKEN_INFO, without its trailing spaces or NULs. */
export function trimTokenLabel(label: string): string {
  return label.replace(/[ \0]+$/u, '');
}
