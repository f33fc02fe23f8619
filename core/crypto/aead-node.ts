import { createCipheriv, createDecipheriv, type CipherGCMTypes } from 'node:crypto';
import {
  AeadAuthenticationError,
  AeadParameterError,
  GCM_TAG_BYTES,
  assertGcmKey,
  type Aead,
} from './aead.js';

/** AES-GCM on OpenSSL through node:crypto: the engine's implementation (6–26× faster than noble here). */
export const nodeAesGcm: Aead = {
  name: 'node:crypto',
  seal(key, nonce, plaintext, aad) {
    assertGcmKey(key);
    assertNonce(nonce);
    const cipher = createCipheriv(gcmName(key), key, nonce, { authTagLength: GCM_TAG_BYTES });
    cipher.setAAD(aad);
    const body = cipher.update(plaintext);
    const tail = cipher.final();
    const tag = cipher.getAuthTag();
    const sealed = new Uint8Array(body.length + tail.length + tag.length);
    sealed.set(body, 0);
    sealed.set(tail, body.length);
    sealed.set(tag, body.length + tail.length);
    return sealed;
  },
  open(key, nonce, sealed, aad) {
    assertGcmKey(key);
    assertNonce(nonce);
    if (sealed.length < GCM_TAG_BYTES) throw new AeadAuthenticationError();
    const cipherLength = sealed.length - GCM_TAG_BYTES;
    const decipher = createDecipheriv(gcmName(key), key, nonce, {
      authTagLength: GCM_TAG_BYTES,
    });
    decipher.setAAD(aad);
    decipher.setAuthTag(sealed.subarray(cipherLength));
    // OpenSSL decrypts before it verifies; the plaintext below is wiped and dropped unless final() verifies
    // the tag, so no unauthenticated byte ever leaves this function.
    const body = decipher.update(sealed.subarray(0, cipherLength));
    try {
      const tail = decipher.final();
      if (tail.length === 0) return body;
      const out = new Uint8Array(body.length + tail.length);
      out.set(body, 0);
      out.set(tail, body.length);
      return out;
    } catch {
      body.fill(0);
      throw new AeadAuthenticationError();
    }
  },
};

/**
 * OpenSSL 3 keeps the GCM IV in a fixed buffer of 1024 bits and refuses longer ones; SP 800-38D lets an
 * implementation narrow IV lengths, and the engine only ever uses 96-bit nonces.
 */
export const OPENSSL_MAX_GCM_IV_BYTES = 128;

function assertNonce(nonce: Uint8Array): void {
  // SP 800-38D §5.2.1.1 allows IVs from 1 bit up; a zero-length IV is meaningless and refused.
  if (nonce.length === 0) throw new AeadParameterError('AES-GCM nonce must not be empty');
  if (nonce.length > OPENSSL_MAX_GCM_IV_BYTES) {
    throw new AeadParameterError(`node:crypto refuses AES-GCM nonces over ${OPENSSL_MAX_GCM_IV_BYTES} bytes`);
  }
}

function gcmName(key: Uint8Array): CipherGCMTypes {
  return `aes-${key.length * 8}-gcm` as CipherGCMTypes;
}
