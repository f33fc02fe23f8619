import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AeadAuthenticationError,
  AeadParameterError,
  GCM_TAG_BYTES,
  type Aead,
} from '../../../core/crypto/aead.js';
import { OPENSSL_MAX_GCM_IV_BYTES, nodeAesGcm } from '../../../core/crypto/aead-node.js';
import { NOBLE_MIN_NONCE_BYTES, nobleAesGcm } from '../../../core/crypto/aead-noble.js';
import { concatBytes, fromHex, toHex } from '../../../core/crypto/bytes.js';
import { attempt, loadWycheproof, tallyCases, type WycheproofCase } from './wycheproof-vectors.js';

interface GcmCase extends WycheproofCase {
  key: string;
  iv: string;
  aad: string;
  msg: string;
  ct: string;
  tag: string;
}
interface GcmGroup {
  ivSize: number;
  keySize: number;
  tagSize: number;
}

const vectors = loadWycheproof<GcmCase, GcmGroup>('aes_gcm_test.json');

type Outcome = 'accepted' | 'rejected' | 'refused';

/**
 * The IV lengths an implementation declares it supports. SP 800-38D §5.2.1.1 lets an implementation narrow
 * them, so a valid case outside the range must be refused with AeadParameterError (never accepted, never
 * mis-decrypted) and is counted apart.
 */
interface NoncePolicy {
  minBytes: number;
  maxBytes: number;
}

/** The same assertions for every AES-GCM implementation, over every Wycheproof case. */
function conformance(aead: Aead, policy: NoncePolicy): void {
  const outside = (c: GcmCase): boolean =>
    c.iv.length / 2 < policy.minBytes || c.iv.length / 2 > policy.maxBytes;
  describe(`AES-GCM ${aead.name} against Wycheproof ${vectors.algorithm}`, () => {
    it('accepts every valid case, rejects every invalid one, and refuses only IVs outside its declared range', () => {
      const tally: Record<Outcome, number> = { accepted: 0, rejected: 0, refused: 0 };
      const failures = tallyCases(vectors.cases, tally, (c) => runCase(aead, outside(c), c));
      // Printed before the assertions, so the figures can be quoted from a failing run too.
      console.log(
        `AES-GCM Wycheproof, ${aead.name}: ${tally.accepted} valid accepted, ${tally.rejected} invalid rejected, ` +
          `${tally.refused} valid refused by policy (${policyText(policy)}); ` +
          `${failures.length} failed; ${vectors.cases.length} of ${vectors.numberOfTests} cases run`,
      );
      assert.deepEqual(failures, [], `${aead.name} failed ${failures.length} Wycheproof AES-GCM cases`);

      const valid = vectors.cases.filter((c) => c.result === 'valid');
      const refusable = valid.filter(outside).length;
      assert.equal(tally.refused, refusable, `refused ${tally.refused} valid cases, expected ${refusable}`);
      assert.equal(tally.accepted, valid.length - refusable, 'every other valid case must be accepted');
      assert.equal(
        tally.rejected,
        vectors.cases.length - valid.length,
        'every invalid case must be rejected',
      );
      assert.equal(tally.accepted + tally.rejected + tally.refused, vectors.numberOfTests);
    });
  });
}

function policyText(policy: NoncePolicy): string {
  const limits = [`IV under ${policy.minBytes * 8} bits`];
  if (Number.isFinite(policy.maxBytes)) limits.push(`IV over ${policy.maxBytes * 8} bits`);
  return limits.join(' or ');
}

/** One case through seal and open; throws an Error that says what went wrong, or returns its outcome. */
function runCase(aead: Aead, outsidePolicy: boolean, c: GcmCase & { group: GcmGroup }): Outcome {
  // Both implementations seal with 16-byte tags only; the file has no other tag size, and this says so.
  if (c.group.tagSize !== GCM_TAG_BYTES * 8) throw new Error(`tag size ${c.group.tagSize} is not supported`);
  const key = fromHex(c.key);
  const iv = fromHex(c.iv);
  const aad = fromHex(c.aad);
  const msg = fromHex(c.msg);
  const expected = toHex(concatBytes(fromHex(c.ct), fromHex(c.tag)));
  const sealed = attempt(() => aead.seal(key, iv, msg, aad));
  const opened = attempt(() => aead.open(key, iv, fromHex(expected), aad));

  if (c.result === 'valid' && outsidePolicy) {
    expectRefusal(sealed, 'seal', AeadParameterError);
    expectRefusal(opened, 'open', AeadParameterError);
    return 'refused';
  }
  if (c.result === 'valid') {
    if (sealed.error !== undefined) throw new Error(`seal threw ${explain(sealed.error)}`);
    if (opened.error !== undefined) throw new Error(`open threw ${explain(opened.error)}`);
    if (toHex(sealed.value ?? new Uint8Array()) !== expected) throw new Error('seal did not give ct||tag');
    if (toHex(opened.value ?? new Uint8Array()) !== c.msg) throw new Error('open did not give msg');
    return 'accepted';
  }
  if (c.result === 'invalid') {
    expectRefusal(opened, 'open', AeadAuthenticationError, AeadParameterError);
    // Sealing the same message may work (only the tag was altered), but must never produce the bad bytes.
    if (sealed.error === undefined && toHex(sealed.value ?? new Uint8Array()) === expected) {
      throw new Error('seal reproduced the invalid ct||tag');
    }
    if (sealed.error !== undefined && !(sealed.error instanceof AeadParameterError)) {
      throw new Error(`seal threw ${explain(sealed.error)}`);
    }
    return 'rejected';
  }
  throw new Error(`no policy for "${c.result}" cases; decide one before accepting this file`);
}

function expectRefusal(
  outcome: { value: Uint8Array | undefined; error: unknown },
  operation: string,
  ...allowed: (abstract new (...args: never[]) => Error)[]
): void {
  if (outcome.value !== undefined) throw new Error(`${operation} returned bytes instead of refusing`);
  if (!allowed.some((type) => outcome.error instanceof type)) {
    throw new Error(
      `${operation} threw ${explain(outcome.error)}, not ${allowed.map((t) => t.name).join(' or ')}`,
    );
  }
}

function explain(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

conformance(nodeAesGcm, { minBytes: 1, maxBytes: OPENSSL_MAX_GCM_IV_BYTES });
// @noble/ciphers has no upper bound of its own: GHASH takes an IV of any length.
conformance(nobleAesGcm, { minBytes: NOBLE_MIN_NONCE_BYTES, maxBytes: Infinity });
