import { CommanderError } from 'commander';
import { ErrorCode, isVaultError } from '../common/errors.js';
import {
  KeychainUnavailableError,
  PinLockedError,
  Pkcs11Error,
  TokenNotPresentError,
} from '../core/keys/native-masters.js';
import { CliError, ExitCode } from './exit-codes.js';

export interface DescribedError {
  /** A VaultError code, USAGE, ERROR, or UNEXPECTED. */
  code: string;
  /** One line: what was wrong and where. No secret, no trace content. */
  message: string;
  exitCode: ExitCode;
}

/** What each engine error means to someone at the command line, said before the engine's own detail. */
const HEADLINES: Record<ErrorCode, string | null> = {
  [ErrorCode.BAD_INPUT]: null,
  [ErrorCode.TOO_LARGE]: 'too large',
  [ErrorCode.NOT_FOUND]: 'not found',
  [ErrorCode.INTEGRITY]: 'integrity check failed (tampered data or a wrong key)',
  [ErrorCode.WRONG_SECRET]: 'cannot unlock',
  [ErrorCode.UNAVAILABLE]: 'key store unavailable',
  [ErrorCode.LOCKED]: 'vault locked',
  [ErrorCode.NOT_INITIALIZED]: null,
  [ErrorCode.ALREADY_INITIALIZED]: null,
  [ErrorCode.STORAGE]: 'storage error',
  [ErrorCode.UNSUPPORTED_VERSION]: 'unsupported vault version',
  [ErrorCode.FORBIDDEN]: 'not permitted',
  [ErrorCode.MFA_REQUIRED]: 'one-time code needed',
};

/**
 * Turns anything a command threw into one line and an exit status. Engine errors (VaultError) carry
 * messages written for people; anything else is unexpected and shown as a single line, its stack only with
 * VAULT_MANAGER_DEBUG=1, because a stack says nothing to an operator and may say too much to a log.
 */
export function describeError(error: unknown): DescribedError {
  if (error instanceof CliError) {
    return { code: error.code, message: error.message, exitCode: error.exitCode };
  }
  if (error instanceof CommanderError) {
    return { code: 'USAGE', message: error.message.replace(/^error: /, ''), exitCode: ExitCode.USAGE };
  }
  if (isVaultError(error)) {
    const headline = HEADLINES[error.code];
    const message = error.message;
    return {
      code: error.code,
      message: headline === null ? message : `${headline}: ${message}`,
      exitCode: ExitCode.ERROR,
    };
  }
  const master = describeMasterError(error);
  if (master !== undefined) return master;
  const detail =
    error instanceof Error ? `${error.name}: ${firstLine(error.message)}` : firstLine(String(error));
  return {
    code: 'UNEXPECTED',
    message: `unexpected failure: ${detail} (set VAULT_MANAGER_DEBUG=1 for details)`,
    exitCode: ExitCode.ERROR,
  };
}

/**
 * Token and keychain failures that reach here without the engine's wrapping (a locked card at login, a
 * card pulled mid-command): their messages are written for the person at the workstation already.
 */
function describeMasterError(error: unknown): DescribedError | undefined {
  const failed = (code: ErrorCode, message: string): DescribedError => ({
    code,
    message: `${HEADLINES[code] ?? code}: ${message}`,
    exitCode: ExitCode.ERROR,
  });
  if (error instanceof PinLockedError) return failed(ErrorCode.WRONG_SECRET, error.message);
  if (error instanceof TokenNotPresentError || error instanceof KeychainUnavailableError) {
    return failed(ErrorCode.UNAVAILABLE, error.message);
  }
  if (error instanceof Pkcs11Error) {
    return { code: 'TOKEN', message: `security token error: ${error.message}`, exitCode: ExitCode.ERROR };
  }
  return undefined;
}

export function debugEnabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.VAULT_MANAGER_DEBUG === '1';
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}
