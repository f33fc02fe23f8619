/**
 * Typed errors for the PKCS#11 facade. pkcs11js throws errors whose message is the return value's name
 * (`CKR_PIN_INCORRECT`); callers of the facade see one of the classes below instead, so they never need
 * to import pkcs11js to tell a wrong PIN from a pulled card.
 *
 * Messages are written for the person at the workstation. Never put a PIN, a key or any other secret
 * in one of these messages: they are shown on screen and written to logs.
 */

/** Any failure reported by a PKCS#11 module. `code` is the CKR_ name (PKCS#11 v2.40 §3.6), or NATIVE. */
export class Pkcs11Error extends Error {
  override readonly name: string = 'Pkcs11Error';
  constructor(
    /** The return value's name, e.g. CKR_GENERAL_ERROR; NATIVE when the library itself failed (dlopen). */
    readonly code: string,
    /** The Cryptoki function that failed, e.g. C_Decrypt. */
    readonly operation: string,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? `The security token could not complete ${operation} (${code}).`, options);
  }
}

/**
 * What the token says about the tries left after a wrong PIN (PKCS#11 v2.40 §3.2, CK_TOKEN_INFO flags):
 * CKF_USER_PIN_FINAL_TRY → 'final', CKF_USER_PIN_COUNT_LOW → 'low', neither (or unreadable) → 'unknown'.
 */
export type PinTriesLeft = 'unknown' | 'low' | 'final';

/** CKR_PIN_INCORRECT (or CKR_PIN_LEN_RANGE): the PIN was refused. */
export class WrongPinError extends Pkcs11Error {
  override readonly name = 'WrongPinError';
  constructor(
    code: string,
    readonly triesLeft: PinTriesLeft,
    options?: { cause?: unknown },
  ) {
    super(code, 'C_Login', wrongPinMessage(triesLeft), options);
  }
}

function wrongPinMessage(triesLeft: PinTriesLeft): string {
  switch (triesLeft) {
    case 'final':
      return 'The smartcard PIN is not correct. One try is left: another wrong PIN will lock the card.';
    case 'low':
      return 'The smartcard PIN is not correct. Only a few tries are left before the card locks.';
    case 'unknown':
      return 'The smartcard PIN is not correct.';
  }
}

/** CKR_PIN_LOCKED: too many wrong PINs; only the security officer can unblock the card. */
export class PinLockedError extends Pkcs11Error {
  override readonly name = 'PinLockedError';
  constructor(operation: string, options?: { cause?: unknown }) {
    super(
      'CKR_PIN_LOCKED',
      operation,
      'The smartcard is locked after too many wrong PINs. Ask your site administrator to unblock it.',
      options,
    );
  }
}

/** The token is gone: removed, unplugged, deleted, or its session was closed under us. */
export class TokenNotPresentError extends Pkcs11Error {
  override readonly name = 'TokenNotPresentError';
  constructor(code: string, operation: string, options?: { cause?: unknown }) {
    super(
      code,
      operation,
      'The smartcard or security token is not available. Insert it and try again.',
      options,
    );
  }
}

/** The token cannot do what was asked (mechanism or function missing, or its parameters refused). */
export class MechanismNotSupportedError extends Pkcs11Error {
  override readonly name = 'MechanismNotSupportedError';
  constructor(code: string, operation: string, what: string, options?: { cause?: unknown }) {
    super(code, operation, `This security token cannot perform ${what}. Choose another key type.`, options);
  }
}

/**
 * Return values that mean "the token is no longer there" (PKCS#11 v2.40 §5.1.3–§5.1.4). SoftHSM renumbers
 * slots when a token disappears, so an invalid slot id means the same to a watchdog.
 */
const TOKEN_GONE = new Set([
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_DEVICE_REMOVED',
  'CKR_SESSION_HANDLE_INVALID',
  'CKR_SESSION_CLOSED',
  'CKR_SLOT_ID_INVALID',
]);

const NOT_SUPPORTED = new Set([
  'CKR_MECHANISM_INVALID',
  'CKR_MECHANISM_PARAM_INVALID',
  'CKR_FUNCTION_NOT_SUPPORTED',
]);

/** The CKR_ name carried by an error thrown by pkcs11js, if it carries one. */
export function returnValueName(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const match = /\b(CKR_[A-Z0-9_]+)\b/.exec(error.message);
  return match?.[1];
}

/**
 * Turns whatever pkcs11js threw into a typed error. `what` names the operation for a person ("AES key
 * wrap"). A wrong PIN is not mapped here: only `login` knows how to read the tries left afterwards.
 */
export function toPkcs11Error(error: unknown, operation: string, what = operation): Error {
  if (error instanceof Pkcs11Error) return error;
  // A TypeError is a bug in the caller's arguments, not a token failure: keep it as it is.
  if (error instanceof TypeError) return error;
  const code = returnValueName(error);
  if (code === undefined) {
    return new Pkcs11Error(
      'NATIVE',
      operation,
      `The security token module failed during ${operation}: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  if (code === 'CKR_PIN_LOCKED') return new PinLockedError(operation, { cause: error });
  if (TOKEN_GONE.has(code)) return new TokenNotPresentError(code, operation, { cause: error });
  if (NOT_SUPPORTED.has(code)) return new MechanismNotSupportedError(code, operation, what, { cause: error });
  return new Pkcs11Error(code, operation, undefined, { cause: error });
}
