import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyObject } from 'node:crypto';
import { fromHex } from '../../../core/crypto/bytes.js';
import { verifyP256Sha256, verifyP256Sha256Der } from '../../../core/crypto/ecdsa-p256.js';
import { p256PublicKeyFromPoint } from '../../../core/crypto/p256-point.js';
import { loadWycheproof, tallyCases, type WycheproofCase } from './wycheproof-vectors.js';

interface VerifyCase extends WycheproofCase {
  msg: string;
  sig: string;
}

interface VerifyGroup {
  publicKey: { curve: string; uncompressed: string };
  sha: string;
}

type Verify = (key: KeyObject, message: Uint8Array, signature: Uint8Array) => boolean;

/**
 * Every case: a valid signature verifies, an invalid one does not (and verify returns false rather than
 * throwing). These files have no "acceptable" cases; one appearing would fail the count below.
 */
function conformance(file: string, encoding: string, verify: Verify): void {
  const vectors = loadWycheproof<VerifyCase, VerifyGroup>(file);
  describe(`${encoding} verify against Wycheproof ${vectors.algorithm} (${file})`, () => {
    it('accepts every valid signature and rejects every invalid one', () => {
      const keys = new Map<string, KeyObject>();
      const tally = { valid: 0, invalid: 0 };
      const failures = tallyCases(vectors.cases, tally, (c) => {
        const point = c.group.publicKey.uncompressed;
        const key = keys.get(point) ?? p256PublicKeyFromPoint(fromHex(point));
        keys.set(point, key);
        assert.equal(c.group.sha, 'SHA-256');
        const verified = verify(key, fromHex(c.msg), fromHex(c.sig));
        if (c.result === 'valid' && verified) return 'valid';
        if (c.result === 'invalid' && !verified) return 'invalid';
        throw new Error(verified ? 'verified an invalid signature' : 'rejected a valid signature');
      });
      console.log(
        `ECDSA P-256 SHA-256 ${encoding} Wycheproof (${file}): ${tally.valid} valid accepted, ` +
          `${tally.invalid} invalid rejected, 0 acceptable; ${failures.length} failed; ` +
          `${vectors.cases.length} of ${vectors.numberOfTests} cases run`,
      );
      assert.deepEqual(failures, [], `${encoding} verify failed ${failures.length} Wycheproof cases`);
      const count = (result: string) => vectors.cases.filter((c) => c.result === result).length;
      assert.equal(tally.valid, count('valid'));
      assert.equal(tally.invalid, count('invalid'));
      assert.equal(tally.valid + tally.invalid, vectors.numberOfTests);
    });
  });
}

conformance('ecdsa_secp256r1_sha256_p1363_test.json', 'IEEE P1363 (r ‖ s)', verifyP256Sha256);
conformance('ecdsa_secp256r1_sha256_test.json', 'DER', verifyP256Sha256Der);
