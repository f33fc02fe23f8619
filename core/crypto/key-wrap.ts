import { aeskw } from '@noble/ciphers/aes.js';

/**
 * AES key wrap (RFC 3394) in software, for keys wrapped under other keys held in memory (KEK versions
 * under the root key, subject and vault keys under a KEK). Deterministic and integrity-checked: a wrong
 * key or an altered wrapped key fails the RFC 3394 §2.2.3 integrity check.
 */
export class KeyUnwrapError extends Error {
  override readonly name = 'KeyUnwrapError';
  constructor() {
    super('wrapped key failed its integrity check');
  }
}

export function wrapKey(kek: Uint8Array, key: Uint8Array): Uint8Array {
  return aeskw(kek).encrypt(key);
}

export function unwrapKey(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  try {
    return aeskw(kek).decrypt(wrapped);
  } catch {
    throw new KeyUnwrapError();
  }
}
