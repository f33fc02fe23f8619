import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../../../core/crypto/bytes.js';
import { KeyUnwrapError } from '../../../core/crypto/key-wrap.js';
import { unwrapKeyPadded, wrapKeyPadded } from '../../../core/crypto/key-wrap-pad.js';
import { attempt, loadWycheproof, tallyCases, type WycheproofCase } from './wycheproof-vectors.js';

interface WrapCase extends WycheproofCase {
  key: string;
  msg: string;
  ct: string;
}

const vectors = loadWycheproof<WrapCase, unknown>('aes_kwp_test.json');

/**
 * Both directions per case. Valid: wrap gives ct and unwrap gives msg. Invalid: unwrap throws
 * KeyUnwrapError with no key out, and wrapping msg does not reproduce ct. This file has no acceptable cases.
 */
function runCase(c: WrapCase): 'valid' | 'invalid' {
  const kek = fromHex(c.key);
  const wrapped = attempt(() => wrapKeyPadded(kek, fromHex(c.msg)));
  const unwrapped = attempt(() => unwrapKeyPadded(kek, fromHex(c.ct)));
  if (c.result === 'valid') {
    if (wrapped.error !== undefined) throw new Error(`wrap threw ${thrown(wrapped.error)}`);
    if (unwrapped.error !== undefined) throw new Error(`unwrap threw ${thrown(unwrapped.error)}`);
    if (toHex(wrapped.value ?? new Uint8Array()) !== c.ct) throw new Error('wrap did not give ct');
    if (toHex(unwrapped.value ?? new Uint8Array()) !== c.msg) throw new Error('unwrap did not give msg');
    return 'valid';
  }
  if (c.result === 'invalid') {
    if (unwrapped.value !== undefined) throw new Error('unwrap returned a key instead of refusing');
    if (!(unwrapped.error instanceof KeyUnwrapError))
      throw new Error(`unwrap threw ${thrown(unwrapped.error)}`);
    if (wrapped.value !== undefined && toHex(wrapped.value) === c.ct)
      throw new Error('wrap reproduced the invalid ct');
    return 'invalid';
  }
  throw new Error(`no policy for this "${c.result}" case`);
}

describe(`wrapKeyPadded/unwrapKeyPadded against Wycheproof ${vectors.algorithm}`, () => {
  it('wraps and unwraps every valid case exactly and refuses every invalid one', () => {
    const tally = { valid: 0, invalid: 0 };
    const failures = tallyCases(vectors.cases, tally, runCase);
    console.log(
      `${vectors.algorithm} Wycheproof, key-wrap-pad.ts: ${tally.valid} valid wrapped and unwrapped, ` +
        `${tally.invalid} invalid rejected, 0 acceptable; ${failures.length} failed; ` +
        `${vectors.cases.length} of ${vectors.numberOfTests} cases run`,
    );
    assert.deepEqual(failures, [], `key-wrap-pad.ts failed ${failures.length} Wycheproof cases`);
    const count = (result: string) => vectors.cases.filter((c) => c.result === result).length;
    assert.equal(tally.valid, count('valid'));
    assert.equal(tally.invalid, count('invalid'));
    assert.equal(tally.valid + tally.invalid, vectors.numberOfTests);
  });
});

/** How a failure names what was thrown: its class and message (never key bytes: the modules put none there). */
function thrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
}
