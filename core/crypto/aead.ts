/**
 * AES-GCM (NIST SP 800-38D) behind one small interface, so the engine's implementation (node:crypto) and
 * the cross-check (@noble/ciphers) can be run through the same tests and compared byte for byte.
 *
 * Sealed form: ciphertext ‖ 16-byte tag. The nonce travels beside it.
 */
export const GCM_TAG_BYTES = 16;
/** The engine always uses 96-bit random nonces (SP 800-38D §8.2.2). */
export const GCM_NONCE_BYTES = 12;

export interface Aead {
  readonly name: string;
  seal(key: Uint8Array, nonce: Uint8Array, plaintext: Uint8Array, aad: Uint8Array): Uint8Array;
  /** Throws AeadAuthenticationError when the tag does not verify; returns no plaintext then. */
  open(key: Uint8Array, nonce: Uint8Array, sealed: Uint8Array, aad: Uint8Array): Uint8Array;
}

/** The tag did not verify: wrong key, wrong AAD, or altered bytes. Carries no detail on purpose. */
export class AeadAuthenticationError extends Error {
  override readonly name = 'AeadAuthenticationError';
  constructor() {
    super('authentication tag did not verify');
  }
}

/** Key or nonce of a size this implementation refuses. */
export class AeadParameterError extends Error {
  override readonly name = 'AeadParameterError';
}

export function assertGcmKey(key: Uint8Array): void {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new AeadParameterError(`AES key must be 16, 24 or 32 bytes, got ${key.length}`);
  }
}
