import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { fromHex, toHex } from '../../../core/crypto/bytes.js';
import {
  OaepDecryptionError,
  rsaOaepDecrypt,
  rsaOaepEncrypt,
  rsaPublicKeyFromComponents,
  type OaepHash,
} from '../../../core/crypto/rsa-oaep.js';
import { attempt, caseName, loadWycheproof, tallyCases, type WycheproofCase } from './wycheproof-vectors.js';

interface OaepCase extends WycheproofCase {
  msg: string;
  ct: string;
  label: string;
}

interface OaepGroup {
  keySize: number;
  sha: string;
  mgf: string;
  mgfSha: string;
  privateKey: { modulus: string; publicExponent: string };
  privateKeyPkcs8: string;
  privateKeyPem: string;
  privateKeyJwk: JsonWebKey;
}

const FILE = 'rsa_oaep_2048_sha256_mgf1sha256_test.json';
const vectors = loadWycheproof<OaepCase, OaepGroup>(FILE);
const HASHES: Record<string, OaepHash> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256' };

function hashOf(group: OaepGroup): OaepHash {
  const hash = HASHES[group.sha];
  assert.ok(hash, `unsupported OAEP hash ${group.sha}`);
  assert.equal(group.mgf, 'MGF1');
  assert.equal(group.mgfSha, group.sha, 'MGF1 uses the OAEP hash');
  return hash;
}

/** The three encodings Wycheproof gives the key in, each parsed by node. */
function keysOf(group: OaepGroup): Record<'pkcs8' | 'pem' | 'jwk', KeyObject> {
  return {
    pkcs8: createPrivateKey({ key: Buffer.from(group.privateKeyPkcs8, 'hex'), format: 'der', type: 'pkcs8' }),
    pem: createPrivateKey(group.privateKeyPem),
    jwk: createPrivateKey({ key: group.privateKeyJwk, format: 'jwk' }),
  };
}

/** Valid: decrypts to msg. Invalid: OaepDecryptionError and nothing else, with no plaintext out. */
function runCase(key: KeyObject, hash: OaepHash, c: OaepCase): 'valid' | 'invalid' {
  const out = attempt(() => rsaOaepDecrypt(key, fromHex(c.ct), { hash, label: fromHex(c.label) }));
  if (c.result === 'valid') {
    if (out.error !== undefined) throw new Error(`refused a valid ciphertext: ${thrown(out.error)}`);
    if (toHex(out.value ?? new Uint8Array()) !== c.msg) throw new Error('decrypted to other bytes');
    return 'valid';
  }
  if (c.result === 'invalid') {
    if (out.value !== undefined) throw new Error('returned a plaintext instead of refusing');
    if (!(out.error instanceof OaepDecryptionError)) throw new Error(`threw ${thrown(out.error)}`);
    return 'invalid';
  }
  throw new Error(`no policy for this "${c.result}" case`);
}

describe(`rsaOaepDecrypt against Wycheproof ${vectors.algorithm} (${FILE})`, () => {
  for (const form of ['pkcs8', 'pem', 'jwk'] as const) {
    it(`decrypts every valid case (labels included) and refuses every invalid one, key as ${form}`, () => {
      const tally = { valid: 0, invalid: 0 };
      const keys = new Map<OaepGroup, KeyObject>();
      const failures = tallyCases(vectors.cases, tally, (c) => {
        const key = keys.get(c.group) ?? keysOf(c.group)[form];
        keys.set(c.group, key);
        return runCase(key, hashOf(c.group), c);
      });
      console.log(
        `RSAES-OAEP 2048 SHA-256/MGF1-SHA-256 Wycheproof, rsaOaepDecrypt (${form} key): ${tally.valid} valid ` +
          `accepted, ${tally.invalid} invalid rejected, 0 acceptable; ${failures.length} failed; ` +
          `${vectors.cases.length} of ${vectors.numberOfTests} cases run`,
      );
      assert.deepEqual(failures, [], `rsaOaepDecrypt failed ${failures.length} Wycheproof cases`);
      const count = (result: string) => vectors.cases.filter((c) => c.result === result).length;
      assert.equal(tally.valid, count('valid'));
      assert.equal(tally.invalid, count('invalid'));
      assert.equal(tally.valid + tally.invalid, vectors.numberOfTests);
    });
  }

  it('builds the same public key from CKA_MODULUS and CKA_PUBLIC_EXPONENT, and round-trips every valid message through it', () => {
    let roundTrips = 0;
    for (const group of new Set(vectors.cases.map((c) => c.group))) {
      const { pkcs8 } = keysOf(group);
      const fromToken = rsaPublicKeyFromComponents(
        fromHex(group.privateKey.modulus),
        fromHex(group.privateKey.publicExponent),
      );
      const spki = (key: KeyObject) =>
        toHex((key.type === 'public' ? key : createPublicKey(key)).export({ format: 'der', type: 'spki' }));
      assert.equal(spki(fromToken), spki(pkcs8), 'components give the Wycheproof key');
      for (const c of vectors.cases.filter((v) => v.group === group && v.result === 'valid')) {
        const options = { hash: hashOf(group), label: fromHex(c.label) };
        const ciphertext = rsaOaepEncrypt(fromToken, fromHex(c.msg), options);
        assert.notEqual(toHex(ciphertext), c.ct, 'OAEP encryption is randomised');
        assert.equal(toHex(rsaOaepDecrypt(pkcs8, ciphertext, options)), c.msg, caseName(c));
        roundTrips += 1;
      }
    }
    assert.equal(roundTrips, vectors.cases.filter((c) => c.result === 'valid').length);
  });
});

/** How a failure names what was thrown: its class and message (never key bytes: the modules put none there). */
function thrown(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : typeof error;
}
