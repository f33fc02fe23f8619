/**
 * Error codes shared by every runtime. A code tells callers what kind of failure happened; the message
 * says what was wrong and where. Messages never carry key material or trace content.
 */
export const ErrorCode = {
  /** Input that does not match its contract: a bad trace line, a bad flag, a bad query. */
  BAD_INPUT: 'BAD_INPUT',
  /** A trace larger than the configured limit. */
  TOO_LARGE: 'TOO_LARGE',
  NOT_FOUND: 'NOT_FOUND',
  /** A ciphertext or wrapped key that failed authentication: tampered, moved, or a wrong key. */
  INTEGRITY: 'INTEGRITY',
  /** The passphrase (or other secret) did not open any key slot. */
  WRONG_SECRET: 'WRONG_SECRET',
  /** The vault's keys are not in memory. */
  LOCKED: 'LOCKED',
  NOT_INITIALIZED: 'NOT_INITIALIZED',
  ALREADY_INITIALIZED: 'ALREADY_INITIALIZED',
  /** The database could not be read or written. */
  STORAGE: 'STORAGE',
  /** A key store or token the vault needs is not there: no keychain service, token removed, … */
  UNAVAILABLE: 'UNAVAILABLE',
  /** The session's user lacks the permission, or the target lies outside the user's scope. */
  FORBIDDEN: 'FORBIDDEN',
  /** Policy asks for a one-time code (TOTP) that was missing or wrong. */
  MFA_REQUIRED: 'MFA_REQUIRED',
  /** The vault was written by a newer version of this program. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export class VaultError extends Error {
  override readonly name = 'VaultError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isVaultError(error: unknown, code?: ErrorCode): error is VaultError {
  return error instanceof VaultError && (code === undefined || error.code === code);
}
