import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isVaultError } from '../../../common/errors.js';
import { SecretSealer } from '../../../core/access/secret-sealer.js';
import { nobleAesGcm } from '../../../core/crypto/aead-noble.js';
import { randomBytes, toHex, utf8 } from '../../../core/crypto/bytes.js';

const KEY = randomBytes(32);
const SECRET = utf8('JBSWY3DPEHPK3PXP');

/** Same bytes, whether Buffer or Uint8Array. */
function sameBytes(actual: Uint8Array, expected: Uint8Array, message?: string): void {
  assert.equal(toHex(actual), toHex(expected), message);
}

function integrityFailure(fn: () => unknown): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(isVaultError(error, 'INTEGRITY'), `expected INTEGRITY, got ${String(error)}`);
    assert.equal(error.message, 'a sealed secret did not verify');
    return true;
  });
}

describe('SecretSealer', () => {
  it('opens what it sealed, in the same context', () => {
    const sealer = new SecretSealer(KEY);
    const sealed = sealer.seal('totp\u00007', SECRET);
    assert.equal(sealed.length, 12 + SECRET.length + 16, 'nonce ‖ ciphertext ‖ tag');
    sameBytes(sealer.open('totp\u00007', sealed), SECRET);
    sameBytes(sealer.open('x', sealer.seal('x', new Uint8Array())), new Uint8Array());
  });

  it('writes AES-256-GCM that another implementation opens (nonce first, context as AAD)', () => {
    const sealed = new SecretSealer(KEY).seal('totp\u00007', SECRET);
    assert.deepEqual(
      nobleAesGcm.open(KEY, sealed.subarray(0, 12), sealed.subarray(12), utf8('totp\u00007')),
      SECRET,
    );
  });

  it('uses a fresh nonce each time', () => {
    const sealer = new SecretSealer(KEY);
    const nonces = new Set(
      Array.from({ length: 50 }, () => Buffer.from(sealer.seal('c', SECRET).subarray(0, 12)).toString('hex')),
    );
    assert.equal(nonces.size, 50);
  });

  it('refuses a secret moved to another context (another user, another column)', () => {
    const sealer = new SecretSealer(KEY);
    const sealed = sealer.seal('totp\u00007', SECRET);
    integrityFailure(() => sealer.open('totp\u00008', sealed));
    integrityFailure(() => sealer.open('break-glass\u00007', sealed));
  });

  it('refuses any altered, truncated or extended bytes, and another key', () => {
    const sealer = new SecretSealer(KEY);
    const sealed = sealer.seal('c', SECRET);
    for (let i = 0; i < sealed.length; i++) {
      const altered = Uint8Array.from(sealed);
      altered[i]! ^= 0x01;
      integrityFailure(() => sealer.open('c', altered));
    }
    integrityFailure(() => sealer.open('c', sealed.subarray(0, sealed.length - 1)));
    integrityFailure(() => sealer.open('c', sealed.subarray(0, 27)));
    integrityFailure(() => sealer.open('c', new Uint8Array()));
    integrityFailure(() => sealer.open('c', Uint8Array.from([...sealed, 0])));
    integrityFailure(() => new SecretSealer(randomBytes(32)).open('c', sealed));
  });

  it('takes a 32-byte key only, keeps its own copy, and stops working once destroyed', () => {
    for (const size of [0, 16, 24, 31, 33]) {
      assert.throws(
        () => new SecretSealer(new Uint8Array(size)),
        (e: unknown) => isVaultError(e, 'BAD_INPUT'),
      );
    }
    const key = randomBytes(32);
    const sealer = new SecretSealer(key);
    const sealed = sealer.seal('c', SECRET);
    key.fill(0);
    sameBytes(sealer.open('c', sealed), SECRET, 'wiping the caller’s key does not affect the sealer');
    sealer.destroy();
    assert.throws(
      () => sealer.open('c', sealed),
      (e: unknown) => isVaultError(e, 'LOCKED'),
    );
    assert.throws(
      () => sealer.seal('c', SECRET),
      (e: unknown) => isVaultError(e, 'LOCKED'),
    );
  });
});
