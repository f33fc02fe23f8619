import { ErrorCode, VaultError } from '../common/errors.js';
import { KeychainKeyProvider } from '../core/keys/keychain-provider.js';
import type { KeyProvider } from '../core/keys/key-provider.js';
import { findPkcs11Modules, OsKeychain, Pkcs11Error, Pkcs11Module } from '../core/keys/native-masters.js';
import { Pkcs11KeyProvider, type Pkcs11Scheme } from '../core/keys/pkcs11-provider.js';
import { formatPkcs11Uri, parsePkcs11Uri } from '../core/keys/pkcs11-uri.js';
import type { CommandContext } from './context.js';
import { CliError, usageError } from './exit-codes.js';
import { obtainPassphrase } from './passphrase.js';

/** The token PIN, when there is no terminal. There is no flag for it, for the same reason as the passphrase. */
export const PIN_ENV = 'VAULT_MANAGER_PIN';
/**
 * The PIN of the token a new key slot goes on (`keys slots add`, `keys rotate-master`). Separate from
 * PIN_ENV, which unlocks the vault first: the two are often different tokens.
 */
export const NEW_PIN_ENV = 'VAULT_MANAGER_NEW_PIN';
/** Which PKCS#11 module to unlock with; by default the installed modules are searched for the slot's token. */
export const PKCS11_MODULE_ENV = 'VAULT_MANAGER_PKCS11_MODULE';
export const DEFAULT_KEY_LABEL = 'vault-manager-master';
export const MECHANISMS = ['aes-kw', 'rsa-oaep', 'ecdh'] as const satisfies readonly Pkcs11Scheme[];

/** Where a PIN comes from when there is no terminal, and what the terminal asks. */
export interface PinSource {
  variable: string;
  prompt: string;
}

/** The PIN that unlocks the vault, or creates it (`init`). */
export const UNLOCK_PIN: PinSource = { variable: PIN_ENV, prompt: 'Token PIN: ' };
/** The PIN of the token a new slot is made on, once the vault is already unlocked. */
export const NEW_TOKEN_PIN: PinSource = { variable: NEW_PIN_ENV, prompt: 'PIN of the new token: ' };

export interface NewTokenKey {
  modulePath?: string;
  tokenLabel: string;
  keyLabel: string;
  mechanism?: Pkcs11Scheme;
  /** The slot's label; by default the provider names token and key. */
  label?: string;
}

/** A provider that creates the master key on the token (or uses the one of that label already there). */
export async function newPkcs11Provider(
  context: CommandContext,
  key: NewTokenKey,
  pin: PinSource = UNLOCK_PIN,
): Promise<KeyProvider> {
  const path = key.modulePath ?? findPkcs11Modules()[0]?.path;
  if (path === undefined) {
    throw usageError('no PKCS#11 module is installed here; name one with --pkcs11-module PATH');
  }
  const module = loadModule(context, path);
  const uri = formatPkcs11Uri({ token: key.tokenLabel, object: key.keyLabel });
  return pkcs11Provider(context, module, uri, pin, {
    createKey: true,
    ...(key.mechanism === undefined ? {} : { scheme: key.mechanism }),
    ...(key.label === undefined ? {} : { label: key.label }),
  });
}

/** A provider for an existing token slot: the token and key are the ones the slot names. */
export async function slotPkcs11Provider(context: CommandContext, uri: string): Promise<KeyProvider> {
  const token = parsePkcs11Uri(uri).token;
  if (token === undefined) {
    throw new VaultError(ErrorCode.INTEGRITY, "the vault's token key slot names no token");
  }
  // Found before the PIN is asked for: nobody should type a PIN only to learn the card is not there.
  const module = moduleWithToken(context, token);
  return pkcs11Provider(context, module, uri, UNLOCK_PIN, {});
}

/** The OS keychain master; also what deletes a removed slot's entry (`deleteSecret`). */
export function keychainProvider(label?: string): KeychainKeyProvider {
  return new KeychainKeyProvider(new OsKeychain(), label);
}

async function pkcs11Provider(
  context: CommandContext,
  module: Pkcs11Module,
  keyUri: string,
  source: PinSource,
  options: { createKey?: boolean; scheme?: Pkcs11Scheme; label?: string },
): Promise<KeyProvider> {
  const pin = await obtainPassphrase(
    { confirm: false, variable: source.variable, prompt: source.prompt, noun: 'PIN' },
    { env: context.env },
  );
  const provider = new Pkcs11KeyProvider({ module, keyUri, pin, ...options });
  context.defer?.(() => provider.dispose());
  return provider;
}

/** VAULT_MANAGER_PKCS11_MODULE if set; else the first installed module that holds the token. */
function moduleWithToken(context: CommandContext, token: string): Pkcs11Module {
  const named = context.env[PKCS11_MODULE_ENV];
  if (named !== undefined && named !== '') {
    const module = loadModule(context, named);
    if (module.findSlotByTokenLabel(token) !== undefined) return module;
  } else {
    for (const candidate of findPkcs11Modules()) {
      const module = loadModule(context, candidate.path);
      try {
        if (module.findSlotByTokenLabel(token) !== undefined) return module;
      } catch {
        // A module that cannot list its slots does not hold the token; the others may.
      }
    }
  }
  throw new VaultError(
    ErrorCode.UNAVAILABLE,
    `the security token "${token}" is not available. Insert the card or token and try again.`,
  );
}

/** Loads a module once for this command; it is closed when the command ends. */
function loadModule(context: CommandContext, path: string): Pkcs11Module {
  let module: Pkcs11Module;
  try {
    module = Pkcs11Module.load(path);
  } catch (error) {
    if (error instanceof Pkcs11Error) {
      throw new CliError(`cannot load the PKCS#11 module ${path}: ${error.message}`);
    }
    throw error;
  }
  context.defer?.(() => module.close());
  return module;
}
