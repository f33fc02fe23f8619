import { createHmac, hkdfSync, scrypt as scryptCallback } from 'node:crypto';

/** HKDF-SHA256 (RFC 5869). */
export function hkdfSha256(ikm: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  return new Uint8Array(hkdfSync('sha256', ikm, salt, info, length));
}

const EXPAND_FIRST_BLOCK = Uint8Array.of(1);

/**
 * HKDF-Expand (RFC 5869 §2.3) for one 32-byte output block: T(1) = HMAC-Hash(PRK, info ‖ 0x01).
 * Only for a PRK that is already a uniformly random 256-bit key, where RFC 5869 §3.3 lets the extract
 * step be skipped. node's hkdfSync always extracts too and costs 3.5× as much here, and a trace read
 * derives one key per trace.
 */
export function hkdfExpandSha256(prk: Uint8Array, info: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', prk).update(info).update(EXPAND_FIRST_BLOCK).digest());
}

/** HMAC-SHA256 (RFC 2104). */
export function hmacSha256(key: Uint8Array, message: Uint8Array | string): Uint8Array {
  return new Uint8Array(createHmac('sha256', key).update(message).digest());
}

export interface ScryptParams {
  /** CPU/memory cost, a power of two. */
  N: number;
  r: number;
  p: number;
}

/** scrypt (RFC 7914) for passphrases; memory is 128·N·r bytes, so the limit is raised to fit. */
export function scrypt(
  passphrase: Uint8Array,
  salt: Uint8Array,
  params: ScryptParams,
  length: number,
): Promise<Uint8Array> {
  const maxmem = 128 * params.N * params.r * 2 + 1024 * 1024;
  return new Promise((resolve, reject) => {
    scryptCallback(passphrase, salt, length, { ...params, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(new Uint8Array(key.buffer, key.byteOffset, key.length));
    });
  });
}
