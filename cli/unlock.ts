import { existsSync } from 'node:fs';
import { ErrorCode, VaultError } from '../common/errors.js';
import { DEFAULT_SCRYPT_COST, PassphraseKeyProvider } from '../core/keys/passphrase-provider.js';
import { databasePath } from '../core/vault/home.js';
import { RecoveryKeyProvider } from '../core/keys/recovery-provider.js';
import { Vault } from '../core/vault/vault.js';
import type { CommandContext } from './context.js';
import { obtainPassphrase } from './passphrase.js';

/** The master-key providers `init` can create a slot with. Only the passphrase exists so far. */
export const KEY_PROVIDERS = ['passphrase'] as const;
export type KeyProviderName = (typeof KEY_PROVIDERS)[number];

/** Fails before asking for a passphrase, so nobody types a secret only to learn there is no vault. */
export function assertVaultExists(home: string): void {
  if (!existsSync(databasePath(home))) {
    throw new VaultError(ErrorCode.NOT_INITIALIZED, `no vault in ${home}; run \`vault-manager init\` first`);
  }
}

export function vaultExists(home: string): boolean {
  return existsSync(databasePath(home));
}

/**
 * A recovery key in the environment unlocks through the recovery slot instead of a passphrase (for when
 * every token and passphrase is lost). Its words never go on the command line, where history keeps them.
 */
export const RECOVERY_KEY_ENV = 'VAULT_MANAGER_RECOVERY_KEY';

/** Opens and unlocks the vault of `context.home`, asking for the passphrase if the environment has none. */
export async function unlockVault(context: CommandContext): Promise<Vault> {
  assertVaultExists(context.home);
  const recoveryWords = context.env[RECOVERY_KEY_ENV];
  if (recoveryWords !== undefined) {
    const provider = RecoveryKeyProvider.fromWords(recoveryWords);
    try {
      return await Vault.open(context.home, provider);
    } finally {
      provider.destroy();
    }
  }
  const passphrase = await obtainPassphrase({ confirm: false }, { env: context.env });
  // The cost is read from the slot when opening; the one given here only matters for new slots.
  return Vault.open(context.home, new PassphraseKeyProvider(passphrase, DEFAULT_SCRYPT_COST));
}

/** Creates a vault, asking for the passphrase twice when it comes from the terminal. */
export async function createVault(
  context: CommandContext,
  options: { kdfCost: number; maxTraceBytes?: number },
): Promise<Vault> {
  if (vaultExists(context.home)) {
    throw new VaultError(ErrorCode.ALREADY_INITIALIZED, `a vault already exists in ${context.home}`);
  }
  const passphrase = await obtainPassphrase({ confirm: true }, { env: context.env });
  const provider = new PassphraseKeyProvider(passphrase, options.kdfCost);
  return Vault.create(
    context.home,
    provider,
    options.maxTraceBytes === undefined ? {} : { maxTraceBytes: options.maxTraceBytes },
  );
}

/** Runs `work` on the unlocked vault and always locks it again (keys wiped, database closed). */
export async function withVault<T>(
  context: CommandContext,
  work: (vault: Vault) => T | Promise<T>,
): Promise<T> {
  const vault = await unlockVault(context);
  try {
    return await work(vault);
  } finally {
    vault.close();
  }
}
