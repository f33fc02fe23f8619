/**
 * Time-based one-time passwords (RFC 6238) with the parameters every authenticator app understands:
 * HMAC-SHA-1, 6 digits, 30-second steps, and one step of clock drift either way (RFC 6238 §5.2).
 */
import { Secret, TOTP } from 'otpauth';
import { randomBytes } from '../crypto/bytes.js';

const PERIOD_SECONDS = 30;
const DIGITS = 6;
/** Steps accepted either side of the current one (RFC 6238 §5.2 recommends at most one). */
const WINDOW = 1;

/** A new secret: 20 random bytes (the HMAC-SHA-1 block size RFC 4226 §4 recommends), base32. */
export function newTotpSecret(): string {
  const bytes = randomBytes(20);
  return new Secret({ buffer: bytes.buffer }).base32;
}

/** The otpauth:// URI an authenticator app scans (as a QR code) to enroll the secret. */
export function totpUri(secret: string, account: string, issuer = 'Vault Manager'): string {
  return new TOTP({
    issuer,
    label: account,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
  }).toString();
}

/** The time step (RFC 6238 §4.2, T) that `nowMs` falls in. */
export function totpStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / PERIOD_SECONDS);
}

/** The code for `nowMs`. `digits` exists for RFC 6238's 8-digit test vectors; the vault uses 6. */
export function totpCode(secret: string, nowMs: number, digits: 6 | 8 = DIGITS): string {
  return TOTP.generate({
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits,
    period: PERIOD_SECONDS,
    timestamp: nowMs,
  });
}

/**
 * Checks a code typed by a user. Returns the time step it belongs to, or undefined when it is wrong or
 * belongs to a step at or before `lastStep` (a code is good for one use: RFC 6238 §5.2). The caller records
 * the returned step (UserStore.markTotpStep) before letting the user in.
 */
export function verifyTotp(
  secret: string,
  code: string,
  nowMs: number,
  lastStep: number | null,
): number | undefined {
  const token = code.replace(/\s/g, '');
  // Checked before otpauth sees it: its constant-time compare throws on tokens of another byte length.
  if (!/^[0-9]{6}$/.test(token)) return undefined;
  const delta = TOTP.validate({
    token,
    secret: Secret.fromBase32(secret),
    algorithm: 'SHA1',
    digits: DIGITS,
    period: PERIOD_SECONDS,
    timestamp: nowMs,
    window: WINDOW,
  });
  if (delta === null) return undefined;
  const step = totpStep(nowMs) + delta;
  if (lastStep !== null && step <= lastStep) return undefined;
  return step;
}
