/** RFC 6238 with the vault's parameters, checked against the RFC's own test vectors. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTotpSecret, totpCode, totpStep, totpUri, verifyTotp } from '../../../core/access/totp.js';

// RFC 6238 Appendix B, SHA-1: the secret is the ASCII string "12345678901234567890" (here in base32).
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
const RFC_VECTORS: [seconds: number, code: string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

describe('TOTP', () => {
  it('reproduces the RFC 6238 Appendix B SHA-1 vectors (8 digits)', () => {
    assert.equal(
      Buffer.from('12345678901234567890').toString('hex'),
      '3132333435363738393031323334353637383930',
    );
    for (const [seconds, code] of RFC_VECTORS) {
      assert.equal(totpCode(RFC_SECRET, seconds * 1000, 8), code, `T = ${seconds}`);
    }
  });

  it('accepts the 6-digit form of each vector at its time, returning its step', () => {
    for (const [seconds, code] of RFC_VECTORS) {
      const six = code.slice(-6);
      assert.equal(totpCode(RFC_SECRET, seconds * 1000), six, `T = ${seconds}`);
      assert.equal(
        verifyTotp(RFC_SECRET, six, seconds * 1000, null),
        Math.floor(seconds / 30),
        `T = ${seconds}`,
      );
    }
  });

  it('refuses a code used before: one code, one session (RFC 6238 §5.2)', () => {
    const now = 1111111111_000;
    const step = totpStep(now);
    const code = totpCode(RFC_SECRET, now);
    assert.equal(verifyTotp(RFC_SECRET, code, now, step - 1), step);
    assert.equal(verifyTotp(RFC_SECRET, code, now, step), undefined, 'same step again');
    assert.equal(verifyTotp(RFC_SECRET, code, now + 10_000, step + 1), undefined, 'a later step was used');
  });

  it('allows one step of clock drift either way, and no more', () => {
    const now = 1234567890_000;
    const step = totpStep(now);
    assert.equal(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, now - 30_000), now, null), step - 1);
    assert.equal(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, now + 30_000), now, null), step + 1);
    assert.equal(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, now - 60_000), now, null), undefined);
    assert.equal(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, now + 60_000), now, null), undefined);
    // The previous step's code after the current one was used is a replay, even inside the window.
    assert.equal(verifyTotp(RFC_SECRET, totpCode(RFC_SECRET, now - 30_000), now, step), undefined);
  });

  it('refuses wrong and malformed codes without throwing', () => {
    const now = 2000000000_000;
    const code = totpCode(RFC_SECRET, now);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (const bad of [wrong, '', '12345', '1234567', 'abcdef', '１２３４５６', 'é12345', code + '\n0']) {
      assert.equal(verifyTotp(RFC_SECRET, bad, now, null), undefined, JSON.stringify(bad));
    }
    assert.equal(verifyTotp(RFC_SECRET, `${code.slice(0, 3)} ${code.slice(3)}`, now, null), totpStep(now));
  });

  it('makes fresh 160-bit secrets that work end to end', () => {
    const a = newTotpSecret();
    const b = newTotpSecret();
    assert.match(a, /^[A-Z2-7]{32}$/, '20 bytes are 32 base32 characters');
    assert.notEqual(a, b);
    const now = Date.now();
    assert.equal(verifyTotp(a, totpCode(a, now), now, null), totpStep(now));
  });

  it('builds an otpauth URI that authenticator apps read', () => {
    const uri = new URL(totpUri(RFC_SECRET, 'dr.alvarez@clinic.example'));
    assert.equal(uri.protocol, 'otpauth:');
    assert.equal(uri.host, 'totp');
    assert.equal(decodeURIComponent(uri.pathname), '/Vault Manager:dr.alvarez@clinic.example');
    assert.equal(uri.searchParams.get('secret'), RFC_SECRET);
    assert.equal(uri.searchParams.get('issuer'), 'Vault Manager');
    assert.equal(uri.searchParams.get('algorithm'), 'SHA1');
    assert.equal(uri.searchParams.get('digits'), '6');
    assert.equal(uri.searchParams.get('period'), '30');
    assert.equal(new URL(totpUri(RFC_SECRET, 'a', 'Clinic')).searchParams.get('issuer'), 'Clinic');
  });
});
