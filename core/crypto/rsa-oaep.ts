import { constants, createPublicKey, privateDecrypt, publicEncrypt, type KeyObject } from 'node:crypto';

/**
 * RSAES-OAEP (RFC 8017 §7.1) in software, for the smartcard path of design.md §3: the root key is encrypted
 * to the card's RSA public key here, and decrypted on the card (CKM_RSA_PKCS_OAEP) at unlock. MGF1 always
 * uses the same hash as OAEP (RFC 8017 §B.2.1): SHA-1 for tokens that offer nothing else (SoftHSM, many
 * PIV cards), SHA-256 where the token supports it.
 */
export type OaepHash = 'sha1' | 'sha256';

export interface OaepOptions {
  hash: OaepHash;
  /** RFC 8017's label L, bound into the padding; empty when absent. */
  label?: Uint8Array;
}

/** NIST SP 800-57 part 1 rev. 5 Table 2: RSA under 2048 bits protects less than 112 bits. */
export const MIN_RSA_MODULUS_BITS = 2048;
/** Beyond this, keys are not what a token holds, and exponentiation becomes a denial-of-service lever. */
export const MAX_RSA_MODULUS_BITS = 16384;

const HASH_BYTES: Record<OaepHash, number> = { sha1: 20, sha256: 32 };

/** An RSA key this module refuses (size, exponent, type). The message says which; never any key bytes. */
export class RsaKeyError extends Error {
  override readonly name = 'RsaKeyError';
}

/**
 * Decryption failed. RFC 8017 §7.1.2 note: the caller must not learn which check failed (Manger's attack),
 * so this carries no detail.
 */
export class OaepDecryptionError extends Error {
  override readonly name = 'OaepDecryptionError';
  constructor() {
    super('RSA-OAEP decryption error');
  }
}

/**
 * The public key a PKCS#11 token describes with CKA_MODULUS and CKA_PUBLIC_EXPONENT (unsigned big-endian
 * integers, PKCS#11 v2.40 §2.1.2), as a node KeyObject via JWK (RFC 7518 §6.3.1).
 */
export function rsaPublicKeyFromComponents(modulus: Uint8Array, publicExponent: Uint8Array): KeyObject {
  const n = stripLeadingZeros(modulus);
  const e = stripLeadingZeros(publicExponent);
  const bits = bitLength(n);
  if (bits < MIN_RSA_MODULUS_BITS || bits > MAX_RSA_MODULUS_BITS) {
    throw new RsaKeyError(
      `RSA modulus must be ${MIN_RSA_MODULUS_BITS} to ${MAX_RSA_MODULUS_BITS} bits, got ${bits}`,
    );
  }
  if ((n[n.length - 1]! & 1) === 0) throw new RsaKeyError('RSA modulus must be odd');
  // RFC 8017 §3.1: 3 ≤ e ≤ n − 1, and e odd (it must be coprime to λ(n), which is even).
  if (
    e.length === 0 ||
    (e[e.length - 1]! & 1) === 0 ||
    (e.length === 1 && e[0]! < 3) ||
    e.length >= n.length
  ) {
    throw new RsaKeyError('RSA public exponent must be odd and from 3 to n − 1');
  }
  return createPublicKey({
    key: { kty: 'RSA', n: Buffer.from(n).toString('base64url'), e: Buffer.from(e).toString('base64url') },
    format: 'jwk',
  });
}

/** RFC 8017 §7.1.1 step 1b: mLen ≤ k − 2·hLen − 2. */
export function oaepMaxMessageBytes(key: KeyObject, hash: OaepHash): number {
  return modulusBytes(key) - 2 * HASH_BYTES[hash] - 2;
}

/** RSAES-OAEP-ENCRYPT (RFC 8017 §7.1.1) with a fresh random seed. `key` may be public or private. */
export function rsaOaepEncrypt(key: KeyObject, message: Uint8Array, options: OaepOptions): Uint8Array {
  assertRsaKey(key);
  const max = oaepMaxMessageBytes(key, options.hash);
  if (message.length > max) {
    throw new RangeError(`RSA-OAEP with this key and ${options.hash} encrypts at most ${max} bytes`);
  }
  const ciphertext = publicEncrypt(
    { key, padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: options.hash, ...labelOption(options) },
    message,
  );
  return new Uint8Array(ciphertext.buffer, ciphertext.byteOffset, ciphertext.length);
}

/** RSAES-OAEP-DECRYPT (RFC 8017 §7.1.2). Any failure throws OaepDecryptionError, without detail. */
export function rsaOaepDecrypt(
  privateKey: KeyObject,
  ciphertext: Uint8Array,
  options: OaepOptions,
): Uint8Array {
  assertRsaKey(privateKey);
  if (privateKey.type !== 'private') throw new RsaKeyError('RSA-OAEP decryption needs a private key');
  // Step 1b: the ciphertext is exactly k bytes. OpenSSL would accept a shorter one as an integer with
  // leading zeros dropped; the RFC does not.
  if (ciphertext.length !== modulusBytes(privateKey)) throw new OaepDecryptionError();
  try {
    const message = privateDecrypt(
      {
        key: privateKey,
        padding: constants.RSA_PKCS1_OAEP_PADDING,
        oaepHash: options.hash,
        ...labelOption(options),
      },
      ciphertext,
    );
    return new Uint8Array(message.buffer, message.byteOffset, message.length);
  } catch {
    throw new OaepDecryptionError();
  }
}

function labelOption(options: OaepOptions): { oaepLabel?: Uint8Array } {
  return options.label !== undefined && options.label.length > 0 ? { oaepLabel: options.label } : {};
}

function assertRsaKey(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'rsa') {
    throw new RsaKeyError(`expected an RSA key, got ${key.asymmetricKeyType ?? key.type}`);
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_MODULUS_BITS || bits > MAX_RSA_MODULUS_BITS) {
    throw new RsaKeyError(
      `RSA modulus must be ${MIN_RSA_MODULUS_BITS} to ${MAX_RSA_MODULUS_BITS} bits, got ${bits}`,
    );
  }
}

/** k, the modulus length in bytes (RFC 8017 §7.1.1). */
function modulusBytes(key: KeyObject): number {
  return Math.ceil((key.asymmetricKeyDetails?.modulusLength ?? 0) / 8);
}

function stripLeadingZeros(bytes: Uint8Array): Uint8Array {
  let start = 0;
  while (start < bytes.length && bytes[start] === 0) start += 1;
  return bytes.subarray(start);
}

function bitLength(bytes: Uint8Array): number {
  if (bytes.length === 0) return 0;
  return (bytes.length - 1) * 8 + (32 - Math.clz32(bytes[0]!));
}
