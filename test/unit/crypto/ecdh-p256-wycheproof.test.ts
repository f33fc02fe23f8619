import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../../../core/crypto/bytes.js';
import { ecdhP256 } from '../../../core/crypto/ecdh-p256.js';
import { P256PointError } from '../../../core/crypto/p256-point.js';
import { p256PrivateKeyFromHex } from './p256-test-keys.js';
import { attempt, loadWycheproof, tallyCases, type WycheproofCase } from './wycheproof-vectors.js';

interface EcdhCase extends WycheproofCase {
  public: string;
  private: string;
  shared: string;
}

const vectors = loadWycheproof<EcdhCase, { curve: string; encoding: string }>(
  'ecdh_secp256r1_ecpoint_test.json',
);

type Outcome = 'valid' | 'invalid' | 'acceptableRefused';

/**
 * Valid: the same shared secret. Invalid: refused as a bad point, with no secret out. Acceptable cases are
 * compressed points, which ecdhP256 refuses by policy (tokens hand out uncompressed points): they are
 * counted apart, and must be refused the same way.
 */
function runCase(c: EcdhCase): Outcome {
  const privateKey = p256PrivateKeyFromHex(c.private);
  const out = attempt(() => ecdhP256(privateKey, fromHex(c.public)));
  if (c.result === 'valid') {
    if (out.error !== undefined) throw new Error(`refused a valid point: ${thrown(out.error)}`);
    if (toHex(out.value ?? new Uint8Array()) !== c.shared) throw new Error('shared secret differs');
    return 'valid';
  }
  if (out.value !== undefined) throw new Error('returned a shared secret instead of refusing');
  if (!(out.error instanceof P256PointError)) throw new Error(`threw ${thrown(out.error)}`);
  if (c.result === 'invalid') return 'invalid';
  if (!c.flags.includes('CompressedPoint'))
    throw new Error('an acceptable case that is not a compressed point');
  return 'acceptableRefused';
}

describe(`ecdhP256 against Wycheproof ${vectors.algorithm} (secp256r1, ecpoint)`, () => {
  it('derives every valid shared secret, refuses every invalid point, and refuses compressed points by policy', () => {
    const tally: Record<Outcome, number> = { valid: 0, invalid: 0, acceptableRefused: 0 };
    const failures = tallyCases(vectors.cases, tally, runCase);
    console.log(
      `ECDH secp256r1 ecpoint Wycheproof, ecdhP256: ${tally.valid} valid accepted (same secret), ` +
        `${tally.invalid} invalid rejected, ${tally.acceptableRefused} acceptable (compressed point) refused by policy; ` +
        `${failures.length} failed; ${vectors.cases.length} of ${vectors.numberOfTests} cases run`,
    );
    assert.deepEqual(failures, [], `ecdhP256 failed ${failures.length} Wycheproof cases`);
    const count = (result: string) => vectors.cases.filter((c) => c.result === result).length;
    assert.equal(tally.valid, count('valid'));
    assert.equal(tally.invalid, count('invalid'));
    assert.equal(tally.acceptableRefused, count('acceptable'));
    assert.equal(tally.valid + tally.invalid + tally.acceptableRefused, vectors.numberOfTests);
  });
});

/** How a failure names what was thrown: its class and message (never key bytes: the modules put none there). */
function thrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
}
