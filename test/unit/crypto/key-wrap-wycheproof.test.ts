import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { aeskwp } from '@noble/ciphers/aes.js';
import { fromHex, toHex } from '../../../core/crypto/bytes.js';
import { KeyUnwrapError, unwrapKey, wrapKey } from '../../../core/crypto/key-wrap.js';
import { attempt, loadWycheproof, tallyCases, type WycheproofCase } from './wycheproof-vectors.js';

interface WrapCase extends WycheproofCase {
  key: string;
  msg: string;
  ct: string;
}

const kw = loadWycheproof<WrapCase, unknown>('aes_wrap_test.json');
const kwp = loadWycheproof<WrapCase, unknown>('aes_kwp_test.json');

type Outcome = 'valid' | 'invalid' | 'refused';

interface Wrapper {
  wrap(kek: Uint8Array, key: Uint8Array): Uint8Array;
  unwrap(kek: Uint8Array, wrapped: Uint8Array): Uint8Array;
  /** What unwrap throws on a bad input: anything else is a failure. */
  unwrapError: abstract new (...args: never[]) => Error;
}

const coreKw: Wrapper = { wrap: wrapKey, unwrap: unwrapKey, unwrapError: KeyUnwrapError };
const nobleKwp: Wrapper = {
  wrap: (kek, key) => aeskwp(kek).encrypt(key),
  unwrap: (kek, wrapped) => aeskwp(kek).decrypt(wrapped),
  unwrapError: Error,
};

/**
 * RFC 3394 §2 wraps n ≥ 2 64-bit blocks. Wrapping a single block (an 8-byte key) borrows RFC 5649's
 * one-block form, which Wycheproof marks "acceptable": noble's aeskw refuses it and points to aeskwp, so
 * those cases must be refused both ways (no ciphertext out, no key out) and are counted as refused.
 */
const refusedByPolicy = (c: WrapCase): boolean => c.result === 'acceptable' && c.msg.length / 2 === 8;

/**
 * One case, both directions. Every case can be run: invalid cases carry a ciphertext to unwrap (empty
 * where the plaintext size itself is wrong), and wrapping their plaintext must throw or give other bytes.
 */
function runCase(w: Wrapper, c: WrapCase): Outcome {
  const kek = fromHex(c.key);
  const wrapped = attempt(() => w.wrap(kek, fromHex(c.msg)));
  const unwrapped = attempt(() => w.unwrap(kek, fromHex(c.ct)));
  if (c.result === 'valid') {
    if (wrapped.error !== undefined) throw new Error('wrap threw');
    if (unwrapped.error !== undefined) throw new Error('unwrap threw');
    if (toHex(wrapped.value ?? new Uint8Array()) !== c.ct) throw new Error('wrap did not give ct');
    if (toHex(unwrapped.value ?? new Uint8Array()) !== c.msg) throw new Error('unwrap did not give msg');
    return 'valid';
  }
  if (c.result === 'invalid' || refusedByPolicy(c)) {
    if (unwrapped.value !== undefined) throw new Error('unwrap returned a key instead of refusing');
    if (!(unwrapped.error instanceof w.unwrapError))
      throw new Error(`unwrap threw ${String(unwrapped.error)}`);
    if (wrapped.error === undefined && toHex(wrapped.value ?? new Uint8Array()) === c.ct) {
      throw new Error('wrap reproduced the invalid ct');
    }
    if (c.result === 'invalid') return 'invalid';
    if (wrapped.value !== undefined) throw new Error('wrap accepted an input its policy refuses');
    return 'refused';
  }
  throw new Error(`no policy for this "${c.result}" case`);
}

function conformance(name: string, w: Wrapper, vectors: typeof kw): void {
  describe(`${name} against Wycheproof ${vectors.algorithm}`, () => {
    it('wraps and unwraps every valid case exactly, refuses every invalid one, and refuses 8-byte KW keys by policy', () => {
      const tally: Record<Outcome, number> = { valid: 0, invalid: 0, refused: 0 };
      const failures = tallyCases(vectors.cases, tally, (c) => runCase(w, c));
      console.log(
        `${vectors.algorithm} Wycheproof, ${name}: ${tally.valid} valid wrapped and unwrapped, ` +
          `${tally.invalid} invalid refused, ${tally.refused} acceptable refused by policy (8-byte key); ` +
          `${failures.length} failed; ${vectors.cases.length} of ${vectors.numberOfTests} cases run`,
      );
      assert.deepEqual(failures, [], `${name} failed ${failures.length} Wycheproof cases`);
      const count = (result: string) => vectors.cases.filter((c) => c.result === result).length;
      assert.equal(tally.valid, count('valid'));
      assert.equal(tally.invalid, count('invalid'));
      assert.equal(tally.refused, count('acceptable'), 'every acceptable case is an 8-byte key, refused');
      assert.equal(tally.valid + tally.invalid + tally.refused, vectors.numberOfTests);
    });
  });
}

conformance('wrapKey/unwrapKey (key-wrap.ts, noble aeskw)', coreKw, kw);
conformance('noble aeskwp', nobleKwp, kwp);
