import { aeskwp } from '@noble/ciphers/aes.js';
import { KeyUnwrapError } from './key-wrap.js';

/**
 * AES key wrap with padding (RFC 5649) in software: the same format as an HSM's CKM_AES_KEY_WRAP_PAD, so a
 * key wrapped on a token can be checked or unwrapped here and the other way round. Keys of any length from
 * 1 byte are wrapped to ⌈len/8⌉·8 + 8 bytes; a 32-byte key gives 40 bytes, the size RFC 3394 gives (but
 * other bytes: RFC 5649 has its own initial value).
 *
 * Keep wrapped keys at multiples of 8 bytes when a token is involved: SoftHSM's padded wrap of other lengths
 * is not RFC 5649.
 *
 * Unwrapping checks the RFC 5649 §3 alternative initial value (A6 59 59 A6 ‖ 32-bit length) and that the
 * padding is all zeros; any failure throws KeyUnwrapError, without saying which check failed.
 */
export function wrapKeyPadded(kek: Uint8Array, key: Uint8Array): Uint8Array {
  if (key.length === 0) throw new RangeError('RFC 5649 wraps keys of at least 1 byte');
  return aeskwp(kek).encrypt(key);
}

export function unwrapKeyPadded(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  try {
    return aeskwp(kek).decrypt(wrapped);
  } catch {
    throw new KeyUnwrapError();
  }
}
