import assert from 'node:assert/strict';
import { createCipheriv } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  AeadAuthenticationError,
  GCM_NONCE_BYTES,
  GCM_TAG_BYTES,
  type Aead,
} from '../../../core/crypto/aead.js';
import { nodeAesGcm } from '../../../core/crypto/aead-node.js';
import { nobleAesGcm } from '../../../core/crypto/aead-noble.js';
import { toHex } from '../../../core/crypto/bytes.js';

/**
 * node:crypto (the engine's AES-GCM) against @noble/ciphers (the cross-check) on random inputs: the same
 * bytes out, each opening the other's output, and both refusing any single flipped bit. Bounded runs keep
 * it to a few seconds; raise NUM_RUNS locally to search longer.
 */
const NUM_RUNS = Number(process.env.CROSS_CHECK_RUNS ?? 200);
const MAX_PLAINTEXT_BYTES = 70_000;
const IMPLEMENTATIONS: readonly Aead[] = [nodeAesGcm, nobleAesGcm];

const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const gcmKey = fc.constantFrom(16, 24, 32).chain(bytes);
const nonce = bytes(GCM_NONCE_BYTES);

/**
 * Plaintexts up to 70,000 bytes (past noble's 64 KiB chunking and many GHASH blocks), drawn as a length
 * and a seed expanded with AES-CTR: generating each byte through fast-check would dominate the run time.
 * Lengths shrink, so a counterexample comes out small.
 */
const plaintext = fc
  .record({ length: fc.integer({ min: 0, max: MAX_PLAINTEXT_BYTES }), seed: bytes(32) })
  .map(({ length, seed }) => expand(seed, length));

function expand(seed: Uint8Array, length: number): Uint8Array {
  const stream = createCipheriv('aes-256-ctr', seed, new Uint8Array(16));
  return new Uint8Array(stream.update(new Uint8Array(length)));
}

/**
 * Where to flip, as a fraction of the length: half the time the first or the last bit, otherwise uniform
 * (fast-check's own bias would put nine flips in ten within the first hundredth of the data).
 */
const LAST = 1 - Number.EPSILON;
const position = fc.oneof(
  fc.constantFrom(0, LAST),
  fc.noBias(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true })),
);
const tagBit = fc.integer({ min: 0, max: GCM_TAG_BYTES * 8 - 1 });

function flipBit(data: Uint8Array, at: number): Uint8Array {
  const out = Uint8Array.from(data);
  const bit = Math.floor(at * data.length * 8);
  out[bit >> 3]! ^= 1 << (bit & 7);
  return out;
}

function refuses(aead: Aead, open: () => Uint8Array): void {
  let returned: Uint8Array | undefined;
  assert.throws(
    () => {
      returned = open();
    },
    AeadAuthenticationError,
    `${aead.name} opened a tampered ciphertext`,
  );
  assert.equal(returned, undefined, `${aead.name} returned bytes for a tampered ciphertext`);
}

describe('AES-GCM cross-check: node:crypto and @noble/ciphers', () => {
  it('seal to identical bytes, and each opens what the other sealed', () => {
    fc.assert(
      fc.property(gcmKey, nonce, fc.uint8Array({ maxLength: 64 }), plaintext, (key, iv, aad, message) => {
        const fromNode = nodeAesGcm.seal(key, iv, message, aad);
        const fromNoble = nobleAesGcm.seal(key, iv, message, aad);
        assert.equal(toHex(fromNode), toHex(fromNoble), 'node and noble sealed to different bytes');
        assert.equal(
          fromNode.length,
          message.length + 16,
          'sealed output is not ciphertext plus a 16-byte tag',
        );
        assert.equal(toHex(nobleAesGcm.open(key, iv, fromNode, aad)), toHex(message), 'noble misread node');
        assert.equal(toHex(nodeAesGcm.open(key, iv, fromNoble, aad)), toHex(message), 'node misread noble');
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('both refuse any single flipped bit in the sealed output, the nonce or the AAD', () => {
    fc.assert(
      fc.property(
        gcmKey,
        nonce,
        fc.uint8Array({ minLength: 1, maxLength: 64 }),
        plaintext,
        position,
        tagBit,
        position,
        position,
        (key, iv, aad, message, sealedAt, inTag, nonceAt, aadAt) => {
          const sealed = nodeAesGcm.seal(key, iv, message, aad);
          const badSealed = flipBit(sealed, sealedAt);
          // The tag is 128 of up to 560,128 bits: flip one of its bits on every run as well.
          const badTag = Uint8Array.from(sealed);
          badTag[sealed.length - GCM_TAG_BYTES + (inTag >> 3)]! ^= 1 << (inTag & 7);
          const badNonce = flipBit(iv, nonceAt);
          const badAad = flipBit(aad, aadAt);
          for (const aead of IMPLEMENTATIONS) {
            refuses(aead, () => aead.open(key, iv, badSealed, aad));
            refuses(aead, () => aead.open(key, iv, badTag, aad));
            refuses(aead, () => aead.open(key, badNonce, sealed, aad));
            refuses(aead, () => aead.open(key, iv, sealed, badAad));
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
  });
});
