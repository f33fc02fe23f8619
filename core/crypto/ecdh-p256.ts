import { diffieHellman, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { assertP256Key, P256_COORDINATE_BYTES, p256PointOf, p256PublicKeyFromPoint } from './p256-point.js';

/**
 * Ephemeral-static ECDH on P-256 in software (NIST SP 800-56A rev. 3, C(1e, 1s, ECC CDH)): the vault makes
 * an ephemeral key pair, derives a shared secret with a token's static public point, and stores only the
 * ephemeral public point; at unlock the token derives the same secret (CKM_ECDH1_DERIVE) from that point.
 *
 * The shared secret Z is not a key: derive keys from it with HKDF (SP 800-56C rev. 2), then wipe it.
 */
export interface P256EphemeralKey {
  privateKey: KeyObject;
  /** 04 ‖ X ‖ Y, to store beside the slot. */
  publicPoint: Uint8Array;
}

export function generateP256EphemeralKey(): P256EphemeralKey {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { privateKey, publicPoint: p256PointOf(privateKey) };
}

/**
 * The ECC CDH primitive of SP 800-56A §5.7.1.2: Z = x-coordinate of d·Q (the cofactor is 1), 32 bytes.
 * The peer's point is validated first (SP 800-56A §5.6.2.3.3, via p256PublicKeyFromPoint), so an
 * off-curve, twist or infinity point throws P256PointError and never meets the private key.
 */
export function ecdhP256(privateKey: KeyObject, peerPoint: Uint8Array): Uint8Array {
  assertP256Key(privateKey);
  if (privateKey.type !== 'private') throw new TypeError('ECDH needs a private key');
  const peer = p256PublicKeyFromPoint(peerPoint);
  const z = diffieHellman({ privateKey, publicKey: peer });
  // Z is ⌈log2 p / 8⌉ = 32 bytes, leading zeros kept (SP 800-56A §5.7.1.2 step 4, and §C.2 FE2OS).
  if (z.length !== P256_COORDINATE_BYTES) {
    z.fill(0);
    throw new Error(`ECDH gave ${z.length} bytes instead of ${P256_COORDINATE_BYTES}`);
  }
  return new Uint8Array(z.buffer, z.byteOffset, z.length);
}
