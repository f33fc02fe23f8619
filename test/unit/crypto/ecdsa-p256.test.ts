/** ECDSA P-256 / SHA-256: sign and verify in the token's r ‖ s form, and DER. */
import assert from 'node:assert/strict';
import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, it } from 'node:test';
import { utf8 } from '../../../core/crypto/bytes.js';
import {
  P256_SIGNATURE_BYTES,
  signP256Sha256,
  verifyP256Sha256,
  verifyP256Sha256Der,
} from '../../../core/crypto/ecdsa-p256.js';
import { P256PointError, p256PointOf, p256PublicKeyFromPoint } from '../../../core/crypto/p256-point.js';

const device = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const message = utf8('checkpoint 42: root 9f2c…');

describe('ECDSA P-256 with SHA-256', () => {
  it('signs 64-byte r ‖ s signatures that verify, also from the public point alone', () => {
    const signature = signP256Sha256(device.privateKey, message);
    assert.equal(signature.length, P256_SIGNATURE_BYTES);
    assert.equal(verifyP256Sha256(device.publicKey, message, signature), true);
    const fromPoint = p256PublicKeyFromPoint(p256PointOf(device.publicKey));
    assert.equal(verifyP256Sha256(fromPoint, message, signature), true);
  });

  it('rejects another message, another key, a flipped bit, and r ‖ s of the wrong size', () => {
    const signature = signP256Sha256(device.privateKey, message);
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.equal(verifyP256Sha256(device.publicKey, utf8('checkpoint 43'), signature), false);
    assert.equal(verifyP256Sha256(other.publicKey, message, signature), false);
    const flipped = signature.slice();
    flipped[10]! ^= 0x01;
    assert.equal(verifyP256Sha256(device.publicKey, message, flipped), false);
    assert.equal(verifyP256Sha256(device.publicKey, message, signature.subarray(0, 63)), false);
    assert.equal(verifyP256Sha256(device.publicKey, message, new Uint8Array(65)), false);
    assert.equal(verifyP256Sha256(device.publicKey, message, new Uint8Array(64)), false, 'r = s = 0');
  });

  it('verifies DER signatures and refuses an r ‖ s signature handed over as DER', () => {
    const der = sign('sha256', message, { key: device.privateKey, dsaEncoding: 'der' });
    assert.equal(verifyP256Sha256Der(device.publicKey, message, der), true);
    assert.equal(verifyP256Sha256Der(device.publicKey, utf8('other'), der), false);
    const p1363 = signP256Sha256(device.privateKey, message);
    assert.equal(verifyP256Sha256Der(device.publicKey, message, p1363), false);
    assert.equal(verifyP256Sha256(device.publicKey, message, der), false, 'and DER as r ‖ s');
  });

  it('refuses keys that are not P-256', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    assert.throws(() => signP256Sha256(p384.privateKey, message), P256PointError);
    assert.throws(() => verifyP256Sha256(rsa.publicKey, message, new Uint8Array(64)), P256PointError);
  });
});
