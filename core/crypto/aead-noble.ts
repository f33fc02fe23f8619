import { gcm } from '@noble/ciphers/aes.js';
import { AeadAuthenticationError, AeadParameterError, assertGcmKey, type Aead } from './aead.js';

/**
 * Minimum nonce @noble/ciphers accepts. SP 800-38D lets an implementation narrow the IV lengths it
 * supports, and noble refuses IVs under 64 bits; the engine only ever uses 96-bit nonces.
 */
export const NOBLE_MIN_NONCE_BYTES = 8;

/** AES-GCM in audited pure JavaScript: the second implementation that cross-checks node:crypto. */
export const nobleAesGcm: Aead = {
  name: '@noble/ciphers',
  seal(key, nonce, plaintext, aad) {
    assertGcmKey(key);
    assertNonce(nonce);
    return gcm(key, nonce, aad).encrypt(plaintext);
  },
  open(key, nonce, sealed, aad) {
    assertGcmKey(key);
    assertNonce(nonce);
    try {
      return gcm(key, nonce, aad).decrypt(sealed);
    } catch {
      throw new AeadAuthenticationError();
    }
  },
};

function assertNonce(nonce: Uint8Array): void {
  if (nonce.length < NOBLE_MIN_NONCE_BYTES) {
    throw new AeadParameterError(
      `@noble/ciphers refuses AES-GCM nonces under ${NOBLE_MIN_NONCE_BYTES} bytes`,
    );
  }
}
