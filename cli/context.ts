import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { defaultHome } from '../core/vault/home.js';
import { Output } from './output.js';

/** The masters a vault can be unlocked with, besides a recovery key (which comes from the environment). */
export const MASTER_KINDS = ['passphrase', 'pkcs11', 'keychain'] as const;
export type MasterKind = (typeof MASTER_KINDS)[number];

/** Whose key slot a command proves, when --as is not given. */
export const USER_ENV = 'VAULT_MANAGER_USER';

/** Options every command takes. */
export interface CommonOptions {
  home?: string;
  json?: boolean;
  unlockWith?: MasterKind;
  /** --as: the user whose key slot unlocks. */
  as?: string;
}

/** What a command's action receives besides its own flags: where the vault is, and where words go. */
export interface CommandContext {
  home: string;
  output: Output;
  env: NodeJS.ProcessEnv;
  /** The master chosen with --unlock-with; otherwise the vault's first key slot decides. */
  unlockWith?: MasterKind;
  /** Whose key slot to prove (--as, else $VAULT_MANAGER_USER); any user's when unset. */
  user?: string;
  /**
   * Registers a release (close a token module, wipe a PIN) to run when the command ends, however it ends,
   * newest first. Without a runner it is never called; such callers own what they open.
   */
  defer?: (release: () => void) => void;
}

/** Adds --home, --json and --unlock-with to a command; every leaf command takes them. */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--home <dir>', 'vault directory (default: $VAULT_MANAGER_HOME, else the user data directory)')
    .option('--json', 'print exactly one JSON document on stdout, and nothing else')
    .addOption(
      new Option(
        '--unlock-with <kind>',
        "which key slot to unlock with (default: the vault's first slot)",
      ).choices(MASTER_KINDS),
    )
    .option(
      '--as <name>',
      "act as this user: prove their key slot (default: $VAULT_MANAGER_USER, else any user's)",
    );
}

/** --home, else VAULT_MANAGER_HOME, else the platform's user data directory; always absolute. */
export function contextOf(options: CommonOptions, env: NodeJS.ProcessEnv = process.env): CommandContext {
  return {
    home: resolve(options.home ?? defaultHome(env)),
    output: new Output(options.json === true),
    env,
    ...(options.unlockWith === undefined ? {} : { unlockWith: options.unlockWith }),
    ...userOf(options, env),
  };
}

function userOf(options: CommonOptions, env: NodeJS.ProcessEnv): { user?: string } {
  const user = options.as ?? env[USER_ENV];
  return user === undefined || user === '' ? {} : { user };
}
