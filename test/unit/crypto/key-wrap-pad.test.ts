/** RFC 5649 key wrap with padding: the RFC's own examples, OpenSSL's implementation, and refusals. */
import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fromHex, randomBytes, toHex } from '../../../core/crypto/bytes.js';
import { KeyUnwrapError, wrapKey } from '../../../core/crypto/key-wrap.js';
import { unwrapKeyPadded, wrapKeyPadded } from '../../../core/crypto/key-wrap-pad.js';

/** OpenSSL's RFC 5649 (id-aesN-wrap-pad, default IV A6 59 59 A6), a second implementation to agree with. */
function opensslWrapPad(kek: Uint8Array, key: Uint8Array): string {
  const cipher = createCipheriv(`id-aes${kek.length * 8}-wrap-pad`, kek, Buffer.from('a65959a6', 'hex'));
  return Buffer.concat([cipher.update(key), cipher.final()]).toString('hex');
}

describe('AES key wrap with padding (RFC 5649)', () => {
  it('reproduces the examples of RFC 5649 §6 (20-byte and 7-byte keys under a 192-bit KEK)', () => {
    const kek = fromHex('5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8');
    const examples = [
      [
        'c37b7e6492584340bed12207808941155068f738',
        '138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a',
      ],
      ['466f7250617369', 'afbeb0f07dfbf5419200f2ccb50bb24f'],
    ] as const;
    for (const [key, wrapped] of examples) {
      assert.equal(toHex(wrapKeyPadded(kek, fromHex(key))), wrapped);
      assert.equal(toHex(unwrapKeyPadded(kek, fromHex(wrapped))), key);
    }
  });

  it('agrees with OpenSSL for every key length from 1 to 64 bytes and every KEK size', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(16, 24, 32),
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        (kekBytes, key) => {
          const kek = randomBytes(kekBytes);
          const wrapped = wrapKeyPadded(kek, key);
          assert.equal(toHex(wrapped), opensslWrapPad(kek, key));
          assert.equal(wrapped.length, Math.ceil(key.length / 8) * 8 + 8);
          assert.equal(toHex(unwrapKeyPadded(kek, wrapped)), toHex(key));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('wraps a 32-byte key to 40 bytes that differ from RFC 3394 (another initial value), so the two never mix', () => {
    const kek = randomBytes(32);
    const key = randomBytes(32);
    const padded = wrapKeyPadded(kek, key);
    assert.equal(padded.length, 40);
    assert.notEqual(toHex(padded), toHex(wrapKey(kek, key)));
    assert.throws(() => unwrapKeyPadded(kek, wrapKey(kek, key)), KeyUnwrapError);
  });

  it('refuses a wrong KEK, any flipped bit, a truncation, and an empty key, with KeyUnwrapError', () => {
    const kek = randomBytes(32);
    const wrapped = wrapKeyPadded(kek, randomBytes(20));
    assert.throws(() => unwrapKeyPadded(randomBytes(32), wrapped), KeyUnwrapError);
    for (let bit = 0; bit < wrapped.length * 8; bit += 1) {
      const flipped = wrapped.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      assert.throws(() => unwrapKeyPadded(kek, flipped), KeyUnwrapError, `bit ${bit}`);
    }
    assert.throws(() => unwrapKeyPadded(kek, wrapped.subarray(0, 24)), KeyUnwrapError);
    assert.throws(() => wrapKeyPadded(kek, new Uint8Array()), RangeError);
  });
});
