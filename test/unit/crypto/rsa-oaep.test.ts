/** RSA-OAEP in software: SHA-1 and SHA-256, labels, keys from a token's modulus and exponent, refusals. */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { concatBytes, randomBytes, toHex, utf8 } from '../../../core/crypto/bytes.js';
import {
  OaepDecryptionError,
  oaepMaxMessageBytes,
  RsaKeyError,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  rsaPublicKeyFromComponents,
} from '../../../core/crypto/rsa-oaep.js';

const card = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rootKey = randomBytes(32);

/** CKA_MODULUS and CKA_PUBLIC_EXPONENT as a token returns them: unsigned big-endian bytes. */
function tokenComponents(key: KeyObject): { modulus: Uint8Array; exponent: Uint8Array } {
  const jwk = key.export({ format: 'jwk' });
  const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64url'));
  return { modulus: bytes(jwk.n!), exponent: bytes(jwk.e!) };
}

describe('RSA-OAEP', () => {
  for (const hash of ['sha1', 'sha256'] as const) {
    it(`round-trips a root key with ${hash} and MGF1-${hash}, to a key built from the modulus and exponent`, () => {
      const { modulus, exponent } = tokenComponents(card.publicKey);
      const publicKey = rsaPublicKeyFromComponents(modulus, exponent);
      const ciphertext = rsaOaepEncrypt(publicKey, rootKey, { hash });
      assert.equal(ciphertext.length, 256);
      assert.notEqual(toHex(rsaOaepEncrypt(publicKey, rootKey, { hash })), toHex(ciphertext), 'randomised');
      assert.equal(toHex(rsaOaepDecrypt(card.privateKey, ciphertext, { hash })), toHex(rootKey));
    });
  }

  it('refuses a ciphertext under another hash, another label, or another key, with the same bare error', () => {
    const label = utf8('vault-manager/key-slot/pkcs11/v1');
    const ciphertext = rsaOaepEncrypt(card.publicKey, rootKey, { hash: 'sha256', label });
    assert.equal(
      toHex(rsaOaepDecrypt(card.privateKey, ciphertext, { hash: 'sha256', label })),
      toHex(rootKey),
    );
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const attempts = [
      () => rsaOaepDecrypt(card.privateKey, ciphertext, { hash: 'sha1', label }),
      () => rsaOaepDecrypt(card.privateKey, ciphertext, { hash: 'sha256' }),
      () => rsaOaepDecrypt(card.privateKey, ciphertext, { hash: 'sha256', label: utf8('other') }),
      () => rsaOaepDecrypt(other.privateKey, ciphertext, { hash: 'sha256', label }),
    ];
    for (const attempt of attempts) {
      assert.throws(
        attempt,
        (e: unknown) => e instanceof OaepDecryptionError && e.message === 'RSA-OAEP decryption error',
      );
    }
  });

  it('refuses a ciphertext that is not exactly k bytes (RFC 8017 §7.1.2 step 1b), even the same integer without its leading zero', () => {
    // About 1 in 256 ciphertexts starts with a zero byte; dropping it leaves the same integer, which OpenSSL
    // alone would decrypt.
    let ciphertext = rsaOaepEncrypt(card.publicKey, rootKey, { hash: 'sha1' });
    for (let tries = 0; ciphertext[0] !== 0 && tries < 20_000; tries += 1) {
      ciphertext = rsaOaepEncrypt(card.publicKey, rootKey, { hash: 'sha1' });
    }
    assert.equal(ciphertext[0], 0, 'found a ciphertext with a leading zero byte');
    assert.equal(toHex(rsaOaepDecrypt(card.privateKey, ciphertext, { hash: 'sha1' })), toHex(rootKey));
    assert.throws(
      () => rsaOaepDecrypt(card.privateKey, ciphertext.subarray(1), { hash: 'sha1' }),
      OaepDecryptionError,
    );
    const zeroFirst = concatBytes(Uint8Array.of(0), ciphertext);
    assert.throws(() => rsaOaepDecrypt(card.privateKey, zeroFirst, { hash: 'sha1' }), OaepDecryptionError);
    assert.throws(
      () => rsaOaepDecrypt(card.privateKey, new Uint8Array(), { hash: 'sha1' }),
      OaepDecryptionError,
    );
  });

  it('encrypts up to k − 2·hLen − 2 bytes and refuses one more', () => {
    assert.equal(oaepMaxMessageBytes(card.publicKey, 'sha1'), 256 - 42);
    assert.equal(oaepMaxMessageBytes(card.publicKey, 'sha256'), 256 - 66);
    const longest = randomBytes(190);
    const ciphertext = rsaOaepEncrypt(card.publicKey, longest, { hash: 'sha256' });
    assert.equal(toHex(rsaOaepDecrypt(card.privateKey, ciphertext, { hash: 'sha256' })), toHex(longest));
    assert.throws(
      () => rsaOaepEncrypt(card.publicKey, randomBytes(191), { hash: 'sha256' }),
      /at most 190 bytes/,
    );
  });

  it('accepts a modulus with a leading zero byte, as some tokens return CKA_MODULUS', () => {
    const { modulus, exponent } = tokenComponents(card.publicKey);
    const padded = rsaPublicKeyFromComponents(
      concatBytes(Uint8Array.of(0), modulus),
      concatBytes(Uint8Array.of(0), exponent),
    );
    const ciphertext = rsaOaepEncrypt(padded, rootKey, { hash: 'sha1' });
    assert.equal(toHex(rsaOaepDecrypt(card.privateKey, ciphertext, { hash: 'sha1' })), toHex(rootKey));
  });

  it('refuses moduli under 2048 bits, even moduli, and exponents that are even, below 3 or as long as n', () => {
    const { modulus, exponent } = tokenComponents(card.publicKey);
    const small = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const smallParts = tokenComponents(small.publicKey);
    const even = modulus.slice();
    even[even.length - 1]! &= 0xfe;
    const refuse = (n: Uint8Array, e: Uint8Array, message: RegExp) =>
      assert.throws(
        () => rsaPublicKeyFromComponents(n, e),
        (x: unknown) => x instanceof RsaKeyError && message.test(x.message),
      );
    refuse(smallParts.modulus, smallParts.exponent, /2048 to 16384 bits, got 1024/);
    refuse(even, exponent, /must be odd/);
    refuse(modulus, Uint8Array.of(1, 0, 0), /public exponent/);
    refuse(modulus, Uint8Array.of(1), /public exponent/);
    refuse(modulus, new Uint8Array(), /public exponent/);
    refuse(modulus, modulus, /public exponent/);
    assert.throws(() => rsaOaepEncrypt(small.publicKey, rootKey, { hash: 'sha1' }), RsaKeyError);
    assert.throws(
      () => rsaOaepDecrypt(card.publicKey, new Uint8Array(256), { hash: 'sha1' }),
      /needs a private key/,
    );
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    assert.throws(
      () => rsaOaepEncrypt(ec.publicKey, rootKey, { hash: 'sha1' }),
      /expected an RSA key, got ec/,
    );
  });
});
