import { sign, verify, type KeyObject } from 'node:crypto';
import { assertP256Key, P256_COORDINATE_BYTES } from './p256-point.js';

/**
 * ECDSA over P-256 with SHA-256 (FIPS 186-5 §6.4), for the device key: audit checkpoints and the control
 * plane's challenge. Signatures are IEEE P1363 r ‖ s, 64 bytes: what a PKCS#11 token's CKM_ECDSA returns
 * (PKCS#11 v2.40 §2.3.1). DER (X.690 SEQUENCE of two INTEGERs, RFC 3279 §2.2.3) is verified too, for peers
 * that speak X.509.
 *
 * Signing draws a fresh random k per signature from OpenSSL's CSPRNG (FIPS 186-5 §6.4.1); node:crypto does
 * not offer RFC 6979's deterministic k, and signatures here never repeat a message that could leak k.
 */
export const P256_SIGNATURE_BYTES = 2 * P256_COORDINATE_BYTES;

/** r ‖ s, 64 bytes. */
export function signP256Sha256(privateKey: KeyObject, message: Uint8Array): Uint8Array {
  assertP256Key(privateKey);
  const signature = sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' });
  return new Uint8Array(signature.buffer, signature.byteOffset, signature.length);
}

/**
 * Verifies an r ‖ s signature. False for any signature that does not verify, including one of the wrong
 * size and r or s outside [1, n − 1] (FIPS 186-5 §6.4.2 step 1). Throws only for a key that is not P-256.
 */
export function verifyP256Sha256(publicKey: KeyObject, message: Uint8Array, signature: Uint8Array): boolean {
  assertP256Key(publicKey);
  // node pads a short r ‖ s, and splits an odd-sized one unevenly: only the exact size is IEEE P1363.
  if (signature.length !== P256_SIGNATURE_BYTES) return false;
  return verifyWith(publicKey, message, signature, 'ieee-p1363');
}

/**
 * Verifies a DER signature. OpenSSL re-encodes what it parsed and compares, so BER variants (long-form or
 * padded lengths, extra leading zeros, trailing bytes) are refused: one encoding per signature.
 */
export function verifyP256Sha256Der(
  publicKey: KeyObject,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  assertP256Key(publicKey);
  return verifyWith(publicKey, message, signature, 'der');
}

function verifyWith(
  key: KeyObject,
  message: Uint8Array,
  signature: Uint8Array,
  dsaEncoding: 'der' | 'ieee-p1363',
): boolean {
  try {
    return verify('sha256', message, { key, dsaEncoding }, signature);
  } catch {
    // A signature OpenSSL cannot even parse is simply not a valid signature.
    return false;
  }
}
