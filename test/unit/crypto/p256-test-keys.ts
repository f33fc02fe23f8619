import { createECDH, createPrivateKey, type KeyObject } from 'node:crypto';
import { P256_ORDER } from '../../../core/crypto/p256-point.js';

/**
 * A P-256 private KeyObject from a scalar written as hex of any length (Wycheproof writes ASN.1-style
 * integers: a leading 00, or fewer than 32 bytes). The engine never imports raw scalars; tests do.
 */
export function p256PrivateKeyFromHex(hex: string): KeyObject {
  const d = BigInt(`0x${hex || '0'}`);
  if (d < 1n || d >= P256_ORDER) throw new RangeError('P-256 private scalar out of range [1, n − 1]');
  const scalar = Buffer.from(d.toString(16).padStart(64, '0'), 'hex');
  const ecdh = createECDH('prime256v1');
  ecdh.setPrivateKey(scalar);
  const point = ecdh.getPublicKey();
  return createPrivateKey({
    key: {
      kty: 'EC',
      crv: 'P-256',
      d: scalar.toString('base64url'),
      x: point.subarray(1, 33).toString('base64url'),
      y: point.subarray(33).toString('base64url'),
    },
    format: 'jwk',
  });
}
