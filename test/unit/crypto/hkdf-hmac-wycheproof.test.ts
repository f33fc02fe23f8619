import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../../../core/crypto/bytes.js';
import { hkdfSha256, hmacSha256 } from '../../../core/crypto/kdf.js';
import { attempt, loadWycheproof, tallyCases, type WycheproofCase } from './wycheproof-vectors.js';

interface HkdfCase extends WycheproofCase {
  ikm: string;
  salt: string;
  info: string;
  size: number;
  okm: string;
}
interface MacCase extends WycheproofCase {
  key: string;
  msg: string;
  tag: string;
}
interface MacGroup {
  keySize: number;
  tagSize: number;
}

const hkdf = loadWycheproof<HkdfCase, unknown>('hkdf_sha256_test.json');
const hmac = loadWycheproof<MacCase, MacGroup>('hmac_sha256_test.json');

/** Collects every failing case, so one run names them all, then asserts there were none. */
function runAll<C extends WycheproofCase>(
  name: string,
  cases: readonly C[],
  check: (c: C) => 'valid' | 'invalid',
): Record<'valid' | 'invalid', number> {
  const tally = { valid: 0, invalid: 0 };
  const failures = tallyCases(cases, tally, check);
  console.log(
    `${name} Wycheproof: ${tally.valid} valid matched, ${tally.invalid} invalid rejected, ` +
      `${failures.length} failed; ${tally.valid + tally.invalid + failures.length} of ${cases.length} cases run`,
  );
  assert.deepEqual(failures, [], `${name} failed ${failures.length} Wycheproof cases`);
  return tally;
}

function countResults(cases: readonly WycheproofCase[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const c of cases) counts[c.result] = (counts[c.result] ?? 0) + 1;
  return counts;
}

describe('HKDF-SHA256 (kdf.ts) against Wycheproof', () => {
  it('derives every valid okm exactly and refuses every invalid request (output over 255 hash lengths)', () => {
    const tally = runAll('HKDF-SHA256', hkdf.cases, (c) => {
      const derived = attempt(() => hkdfSha256(fromHex(c.ikm), fromHex(c.salt), fromHex(c.info), c.size));
      if (c.result === 'valid') {
        if (derived.error !== undefined) throw new Error('derivation threw');
        if (toHex(derived.value ?? new Uint8Array()) !== c.okm) throw new Error('okm differs');
        return 'valid';
      }
      if (c.result === 'invalid') {
        if (derived.error === undefined) throw new Error(`derived ${c.size} bytes instead of refusing`);
        if (derived.value !== undefined) throw new Error('returned bytes as well as throwing');
        return 'invalid';
      }
      throw new Error(`no policy for "${c.result}" cases`);
    });
    assert.equal(tally.valid + tally.invalid, hkdf.numberOfTests);
    assert.deepEqual(tally, countResults(hkdf.cases), 'every case must be counted as its own result');
  });
});

describe('HMAC-SHA256 (kdf.ts) against Wycheproof', () => {
  it('matches every valid tag and differs from every invalid one, on the first tagSize/8 bytes', () => {
    const tally = runAll('HMAC-SHA256', hmac.cases, (c) => {
      const tagBytes = c.group.tagSize / 8;
      if (c.tag.length / 2 !== tagBytes) throw new Error(`tag is not ${tagBytes} bytes`);
      const mac = toHex(hmacSha256(fromHex(c.key), fromHex(c.msg)).subarray(0, tagBytes));
      if (c.result === 'valid') {
        if (mac !== c.tag) throw new Error('tag differs');
        return 'valid';
      }
      if (c.result === 'invalid') {
        if (mac === c.tag) throw new Error('computed the modified tag');
        return 'invalid';
      }
      throw new Error(`no policy for "${c.result}" cases`);
    });
    assert.equal(tally.valid + tally.invalid, hmac.numberOfTests);
    assert.deepEqual(tally, countResults(hmac.cases), 'every case must be counted as its own result');
  });
});
