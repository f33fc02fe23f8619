/**
 * A slot secret as text, for keystores that hold strings only (keytar, Electron's safeStorage). The
 * string form cannot be wiped from the JavaScript heap, so it exists only for the one call that needs it;
 * the bytes stay in Uint8Arrays that the caller wipes.
 */

/** A slot secret is a random 256-bit AES key. */
export const SLOT_SECRET_BYTES = 32;

/** 32 bytes in padded base64: 43 characters and one '='. */
const SLOT_SECRET_BASE64 = /^[A-Za-z0-9+/]{43}=$/;

export function encodeSlotSecret(secret: Uint8Array): string {
  return Buffer.from(secret.buffer, secret.byteOffset, secret.length).toString('base64');
}

/** The secret's bytes, or undefined when `text` is not a base64 slot secret. Never echoes `text`. */
export function decodeSlotSecret(text: string): Uint8Array | undefined {
  if (!SLOT_SECRET_BASE64.test(text)) return undefined;
  const decoded = Buffer.from(text, 'base64');
  // 43 base64 characters and one '=' are always 32 bytes. Buffer.from may place them in node's shared
  // pool, so they are copied out and cleared there.
  const secret = new Uint8Array(decoded);
  decoded.fill(0);
  return secret;
}
