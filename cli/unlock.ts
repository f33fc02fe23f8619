import { existsSync } from 'node:fs';
import { ErrorCode, VaultError } from '../common/errors.js';
import { DEFAULT_SCRYPT_COST, PassphraseKeyProvider } from '../core/keys/passphrase-provider.js';
import { databasePath } from '../core/vault/home.js';
import { RecoveryKeyProvider } from '../core/keys/recovery-provider.js';
import { VaultSession, type SessionOptions } from '../core/access/vault-session.js';
import type { KeyProvider } from '../core/keys/key-provider.js';
import { readKeySlots } from '../core/vault/inspect.js';
import { MASTER_KINDS, type CommandContext, type MasterKind } from './context.js';
import { keychainProvider, slotPkcs11Provider } from './masters.js';
import { obtainPassphrase } from './passphrase.js';
import { obtainTotp } from './totp-prompt.js';

/** The master-key providers `init` can create a slot with. */
export const KEY_PROVIDERS = MASTER_KINDS;
export type KeyProviderName = MasterKind;

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

/** The options every session of the command line opens with: who, and where a one-time code comes from. */
function sessionOptions(context: CommandContext): SessionOptions {
  return {
    ...(context.user === undefined ? {} : { user: context.user }),
    totp: () => obtainTotp(context.env),
    onAlert: (alert) => context.output.warn(`ALERT (${alert.severity}): ${alert.message}`),
  };
}

/**
 * Opens a session on the vault of `context.home` by proving a key slot; the slot's owner is the session's
 * user (--as picks among several). The master: a recovery key in the environment, else --unlock-with,
 * else the kind of the user's (or the vault's) first key slot. Secrets the environment lacks are asked for.
 */
export async function openSession(context: CommandContext): Promise<VaultSession> {
  assertVaultExists(context.home);
  const recoveryWords = context.env[RECOVERY_KEY_ENV];
  if (recoveryWords !== undefined) {
    const provider = RecoveryKeyProvider.fromWords(recoveryWords);
    try {
      return await VaultSession.open(context.home, provider, sessionOptions(context));
    } finally {
      provider.destroy();
    }
  }
  return VaultSession.open(context.home, await unlockingProvider(context), sessionOptions(context));
}

async function unlockingProvider(context: CommandContext): Promise<KeyProvider> {
  const slots = readKeySlots(context.home).filter(
    (s) => context.user === undefined || s.user === context.user,
  );
  const first = slots[0]?.kind;
  const kind: MasterKind = context.unlockWith ?? MASTER_KINDS.find((k) => k === first) ?? 'passphrase';
  switch (kind) {
    case 'passphrase': {
      const passphrase = await obtainPassphrase({ confirm: false }, { env: context.env });
      // The cost is read from the slot when opening; the one given here only matters for new slots.
      return new PassphraseKeyProvider(passphrase, DEFAULT_SCRYPT_COST);
    }
    case 'keychain':
      return keychainProvider();
    case 'pkcs11': {
      const slot = slots.find((s) => s.kind === 'pkcs11');
      if (slot === undefined) {
        throw new VaultError(ErrorCode.WRONG_SECRET, `the vault in ${context.home} has no pkcs11 key slot`);
      }
      if (slot.uri === undefined) {
        throw new VaultError(ErrorCode.INTEGRITY, 'the token key slot does not name its token key');
      }
      return slotPkcs11Provider(context, slot.uri);
    }
  }
}

/**
 * Creates a vault with one key slot: from `master` when given (after the vault is known not to exist, so
 * no PIN is asked for in vain), else a passphrase, asked for twice when it comes from the terminal.
 */
export async function createVault(
  context: CommandContext,
  options: {
    kdfCost: number;
    maxTraceBytes?: number;
    master?: () => Promise<KeyProvider>;
    /** The first user, the admin (default `admin`). */
    owner?: string;
  },
): Promise<VaultSession> {
  if (vaultExists(context.home)) {
    throw new VaultError(ErrorCode.ALREADY_INITIALIZED, `a vault already exists in ${context.home}`);
  }
  const provider = options.master
    ? await options.master()
    : new PassphraseKeyProvider(
        await obtainPassphrase({ confirm: true }, { env: context.env }),
        options.kdfCost,
      );
  return VaultSession.create(context.home, provider, {
    ...sessionOptions(context),
    ...(options.maxTraceBytes === undefined ? {} : { maxTraceBytes: options.maxTraceBytes }),
    ...(options.owner === undefined ? {} : { owner: options.owner }),
  });
}

/** Runs `work` in a session and always ends it (audited, keys wiped, database closed). */
export async function withSession<T>(
  context: CommandContext,
  work: (session: VaultSession) => T | Promise<T>,
): Promise<T> {
  const session = await openSession(context);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
