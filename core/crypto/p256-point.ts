import { createPublicKey, type KeyObject } from 'node:crypto';

/**
 * Public points of the NIST P-256 curve (secp256r1, FIPS 186-5 / SEC 2 §2.4.2), as tokens and peers send
 * them: the uncompressed octet string 04 ‖ X ‖ Y of SEC 1 §2.3.3, validated before any use (SEC 1
 * §3.2.2.1, NIST SP 800-56A rev. 3 §5.6.2.3.3), so no invalid-curve or twist point reaches ECDH or ECDSA.
 */
export const P256_COORDINATE_BYTES = 32;
/** 04 ‖ X ‖ Y. */
export const P256_POINT_BYTES = 1 + 2 * P256_COORDINATE_BYTES;

/** The field prime p, and the curve y² = x³ − 3x + b over it (SEC 2 §2.4.2). */
const P = 0xffffffff00000001000000000000000000000000ffffffffffffffffffffffffn;
const A = P - 3n;
const B = 0x5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604bn;
/** Order n of the base point. The cofactor is 1, so every point on the curve other than ∞ has order n. */
export const P256_ORDER = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

const UNCOMPRESSED = 0x04;
const ASN1_OCTET_STRING = 0x04;

/** A public point that is malformed or not on P-256. Says which check failed; never echoes the bytes. */
export class P256PointError extends Error {
  override readonly name = 'P256PointError';
}

/**
 * Validates an uncompressed P-256 point and returns it as a node public KeyObject (usable for ECDH and
 * ECDSA). Refuses compressed points (02/03): tokens hand out uncompressed ones, and refusing the other
 * form leaves one encoding per point.
 */
export function p256PublicKeyFromPoint(point: Uint8Array): KeyObject {
  // SEC 1 §2.3.4: the single byte 00 encodes the point at infinity, which is never a valid public key
  // (SP 800-56A §5.6.2.3.3 step 1).
  if (point.length === 1 && point[0] === 0x00)
    throw new P256PointError('the point at infinity is not a public key');
  if (point.length !== P256_POINT_BYTES || point[0] !== UNCOMPRESSED) {
    throw new P256PointError(
      `a P-256 public point must be ${P256_POINT_BYTES} bytes, 04 ‖ X ‖ Y (uncompressed); got ${point.length} bytes` +
        (point.length > 0 ? ` starting ${hexByte(point[0]!)}` : ''),
    );
  }
  const xBytes = point.subarray(1, 1 + P256_COORDINATE_BYTES);
  const yBytes = point.subarray(1 + P256_COORDINATE_BYTES);
  const x = toBigInt(xBytes);
  const y = toBigInt(yBytes);
  // SP 800-56A §5.6.2.3.3 step 2: both coordinates are field elements, 0 ≤ x, y ≤ p − 1.
  if (x >= P || y >= P)
    throw new P256PointError('a coordinate of the P-256 point is not below the field prime');
  // Step 3: the point satisfies the curve equation. (0, 0) — a common stand-in for ∞ — fails here, as b ≠ 0.
  if (mod(y * y) !== mod(x * x * x + A * x + B))
    throw new P256PointError('the point is not on the P-256 curve');
  // Step 4 (n·Q = ∞) holds for every point on the curve, as P-256's cofactor is 1.
  return createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: base64url(xBytes), y: base64url(yBytes) },
    format: 'jwk',
  });
}

/** The uncompressed point 04 ‖ X ‖ Y of a P-256 public (or private) KeyObject. */
export function p256PointOf(key: KeyObject): Uint8Array {
  assertP256Key(key);
  const jwk = key.export({ format: 'jwk' });
  if (jwk.x === undefined || jwk.y === undefined) throw new P256PointError('the key has no public point');
  const x = Buffer.from(jwk.x, 'base64url');
  const y = Buffer.from(jwk.y, 'base64url');
  if (x.length !== P256_COORDINATE_BYTES || y.length !== P256_COORDINATE_BYTES) {
    throw new P256PointError('the key exported coordinates of the wrong size');
  }
  const point = new Uint8Array(P256_POINT_BYTES);
  point[0] = UNCOMPRESSED;
  point.set(x, 1);
  point.set(y, 1 + P256_COORDINATE_BYTES);
  return point;
}

/**
 * The point inside a PKCS#11 CKA_EC_POINT value: PKCS#11 v2.40 §2.3.3 stores "DER-encoding of ANSI X9.62
 * ECPoint value Q", an OCTET STRING (tag 04, X.690 §8.7) holding the 65-byte point: 04 41 04 ‖ X ‖ Y.
 * Strict DER: short-form length only (65 < 128, X.690 §10.1), nothing after the value.
 */
export function ecPointFromOctetString(der: Uint8Array): Uint8Array {
  if (der.length < 2 || der[0] !== ASN1_OCTET_STRING) {
    throw new P256PointError('CKA_EC_POINT is not a DER OCTET STRING');
  }
  const length = der[1]!;
  if (length >= 0x80)
    throw new P256PointError('CKA_EC_POINT uses a long-form length, which DER forbids here');
  if (der.length !== 2 + length) {
    throw new P256PointError(`CKA_EC_POINT declares ${length} bytes but holds ${der.length - 2}`);
  }
  return der.slice(2);
}

/** Refuses a key that is not on P-256, so a key for another curve never reaches ECDH or ECDSA. */
export function assertP256Key(key: KeyObject): void {
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new P256PointError(
      `expected a P-256 key, got ${key.asymmetricKeyType ?? key.type}` +
        (key.asymmetricKeyDetails?.namedCurve ? ` on ${key.asymmetricKeyDetails.namedCurve}` : ''),
    );
  }
}

function mod(value: bigint): bigint {
  const r = value % P;
  return r < 0n ? r + P : r;
}

function toBigInt(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex') || '0'}`);
}

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64url');
}

function hexByte(byte: number): string {
  return `0x${byte.toString(16).padStart(2, '0')}`;
}
