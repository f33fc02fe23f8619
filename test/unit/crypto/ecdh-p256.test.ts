/** P-256 points and ECDH: agreement, export, the point checks of SP 800-56A §5.6.2.3.3, CKA_EC_POINT. */
import assert from 'node:assert/strict';
import { createECDH, generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { concatBytes, toHex } from '../../../core/crypto/bytes.js';
import { ecdhP256, generateP256EphemeralKey } from '../../../core/crypto/ecdh-p256.js';
import {
  ecPointFromOctetString,
  P256_POINT_BYTES,
  P256PointError,
  p256PointOf,
  p256PublicKeyFromPoint,
} from '../../../core/crypto/p256-point.js';

const pointError = (message: RegExp) => (e: unknown) =>
  e instanceof P256PointError && message.test(e.message);
const P_HEX = 'ffffffff00000001000000000000000000000000ffffffffffffffffffffffff';

describe('P-256 ECDH', () => {
  it('gives both sides of an ephemeral-static exchange the same 32-byte secret', () => {
    const ephemeral = generateP256EphemeralKey();
    const token = generateP256EphemeralKey();
    const ours = ecdhP256(ephemeral.privateKey, token.publicPoint);
    const theirs = ecdhP256(token.privateKey, ephemeral.publicPoint);
    assert.equal(ours.length, 32);
    assert.equal(toHex(ours), toHex(theirs));
    assert.notEqual(toHex(ours), toHex(ecdhP256(generateP256EphemeralKey().privateKey, token.publicPoint)));
  });

  it("matches node's createECDH, the reference the PKCS#11 token's CKM_ECDH1_DERIVE was checked against", () => {
    const peer = createECDH('prime256v1');
    peer.generateKeys();
    const ours = generateP256EphemeralKey();
    const expected = peer.computeSecret(ours.publicPoint);
    assert.equal(toHex(ecdhP256(ours.privateKey, peer.getPublicKey())), expected.toString('hex'));
  });

  it('exports a public point as 04 ‖ X ‖ Y that parses back to the same key', () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const point = p256PointOf(publicKey);
    assert.equal(point.length, P256_POINT_BYTES);
    assert.equal(point[0], 0x04);
    assert.equal(toHex(p256PointOf(p256PublicKeyFromPoint(point))), toHex(point));
    const spki = publicKey.export({ format: 'der', type: 'spki' });
    assert.equal(
      toHex(spki.subarray(spki.length - P256_POINT_BYTES)),
      toHex(point),
      'the point ends the SPKI',
    );
  });

  it('refuses the point at infinity, (0, 0), coordinates ≥ p, off-curve and compressed points', () => {
    const good = generateP256EphemeralKey().publicPoint;
    const offCurve = good.slice();
    offCurve[64]! ^= 1;
    const xTooBig = concatBytes(Uint8Array.of(4), Buffer.from(P_HEX, 'hex'), good.subarray(33));
    assert.throws(() => p256PublicKeyFromPoint(Uint8Array.of(0)), pointError(/infinity/));
    assert.throws(
      () => p256PublicKeyFromPoint(concatBytes(Uint8Array.of(4), new Uint8Array(64))),
      pointError(/not on the P-256 curve/),
    );
    assert.throws(() => p256PublicKeyFromPoint(offCurve), pointError(/not on the P-256 curve/));
    assert.throws(() => p256PublicKeyFromPoint(xTooBig), pointError(/not below the field prime/));
    assert.throws(
      () => p256PublicKeyFromPoint(Uint8Array.of(2, ...good.subarray(1, 33))),
      pointError(/uncompressed/),
    );
    assert.throws(() => p256PublicKeyFromPoint(good.subarray(0, 64)), pointError(/got 64 bytes/));
    assert.throws(() => p256PublicKeyFromPoint(new Uint8Array()), pointError(/got 0 bytes/));
    const ephemeral = generateP256EphemeralKey();
    assert.throws(
      () => ecdhP256(ephemeral.privateKey, offCurve),
      P256PointError,
      'ECDH validates the peer first',
    );
  });

  it('refuses keys on other curves and public keys where a private key is needed', () => {
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const peer = generateP256EphemeralKey().publicPoint;
    assert.throws(
      () => ecdhP256(p384.privateKey, peer),
      pointError(/expected a P-256 key, got ec on secp384r1/),
    );
    assert.throws(() => p256PointOf(p384.publicKey), P256PointError);
    assert.throws(() => ecdhP256(p256PublicKeyFromPoint(peer), peer), /needs a private key/);
  });

  it('only ever throws P256PointError for arbitrary bytes and for single-bit flips of a valid point', () => {
    const good = generateP256EphemeralKey().publicPoint;
    const onlyPointErrors = (bytes: Uint8Array) => {
      try {
        p256PublicKeyFromPoint(bytes);
        return true;
      } catch (error) {
        return error instanceof P256PointError;
      }
    };
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), onlyPointErrors), { numRuns: 500 });
    fc.assert(
      fc.property(fc.integer({ min: 8, max: P256_POINT_BYTES * 8 - 1 }), (bit) => {
        const flipped = good.slice();
        flipped[bit >> 3]! ^= 1 << (bit & 7);
        // A curve point has at most 2 values of Y per X and 3 of X per Y, so a one-bit flip in X or Y lands
        // on the curve with negligible probability (about 3 in 2^256); the prefix byte is excluded above.
        assert.throws(() => p256PublicKeyFromPoint(flipped), P256PointError);
      }),
      { numRuns: 200 },
    );
  });
});

describe('CKA_EC_POINT (DER OCTET STRING around the point)', () => {
  const point = generateP256EphemeralKey().publicPoint;
  const der = concatBytes(Uint8Array.of(0x04, 0x41), point);

  it('unwraps 04 41 ‖ point to the point', () => {
    assert.equal(toHex(ecPointFromOctetString(der)), toHex(point));
    assert.equal(toHex(p256PointOf(p256PublicKeyFromPoint(ecPointFromOctetString(der)))), toHex(point));
  });

  it('refuses another tag, a long-form length, a length that does not match, and trailing bytes', () => {
    assert.throws(
      () => ecPointFromOctetString(concatBytes(Uint8Array.of(0x03, 0x41), point)),
      pointError(/not a DER OCTET STRING/),
    );
    assert.throws(
      () => ecPointFromOctetString(concatBytes(Uint8Array.of(0x04, 0x81, 0x41), point)),
      pointError(/long-form/),
    );
    assert.throws(
      () => ecPointFromOctetString(der.subarray(0, 66)),
      pointError(/declares 65 bytes but holds 64/),
    );
    assert.throws(
      () => ecPointFromOctetString(concatBytes(der, Uint8Array.of(0))),
      pointError(/declares 65 bytes but holds 66/),
    );
    assert.throws(() => ecPointFromOctetString(point), P256PointError, 'a raw point is not DER');
    assert.throws(() => ecPointFromOctetString(new Uint8Array()), P256PointError);
  });
});
