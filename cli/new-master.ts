import { Option, type Command } from 'commander';
import type { KeyProvider } from '../core/keys/key-provider.js';
import {
  DEFAULT_SCRYPT_COST,
  MIN_SCRYPT_COST,
  PassphraseKeyProvider,
} from '../core/keys/passphrase-provider.js';
import { RecoveryKeyProvider } from '../core/keys/recovery-provider.js';
import type { CommandContext, CommonOptions } from './context.js';
import { MAX_SCRYPT_COST } from './limits.js';
import { tokenKeyMaster, withTokenKeyOptions, type TokenKeyOptions } from './master-flags.js';
import { keychainProvider, NEW_PIN_ENV, NEW_TOKEN_PIN } from './masters.js';
import type { Output } from './output.js';
import { NEW_PASSPHRASE_ENV, obtainPassphrase } from './passphrase.js';
import { wholeNumber } from './parse-flags.js';
import { RECOVERY_KEY_ENV } from './unlock.js';

/** The masters a new key slot can be made with, on a vault that is already unlocked. */
export const NEW_MASTER_KINDS = ['passphrase', 'pkcs11', 'keychain', 'recovery'] as const;
export type NewMasterKind = (typeof NEW_MASTER_KINDS)[number];

export interface NewMasterOptions extends CommonOptions, TokenKeyOptions {
  kind: NewMasterKind;
  label?: string;
  kdfCost: number;
}

/** --kind, --label, --kdf-cost and the token flags: what `keys slots add` and `keys rotate-master` take. */
export function withNewMasterOptions(command: Command): Command {
  return withTokenKeyOptions(
    command
      .addOption(
        new Option('--kind <kind>', 'what protects the new slot')
          .choices(NEW_MASTER_KINDS)
          .default('passphrase'),
      )
      .option('--label <label>', 'a name for the slot, shown by `keys slots list` (not for recovery)')
      .addOption(
        new Option('--kdf-cost <n>', 'scrypt cost as a power of two (passphrase)')
          .argParser(wholeNumber(MIN_SCRYPT_COST, MAX_SCRYPT_COST))
          .default(DEFAULT_SCRYPT_COST),
      ),
  ).addHelpText(
    'after',
    `
The vault is unlocked first, as by every command. Then the new passphrase comes from
$${NEW_PASSPHRASE_ENV}, the new token's PIN from $${NEW_PIN_ENV}; else each is asked for on the terminal.`,
  );
}

export interface NewMaster {
  provider: KeyProvider;
  /** A recovery key's 24 words: shown once, stored nowhere. */
  words?: readonly string[];
}

/**
 * Checks the flags at once, so a usage error comes before any unlock, and returns what makes the new
 * master. Call that once the vault is unlocked: the unlocking secret is asked for first, then the new one.
 */
export function newMaster(context: CommandContext, options: NewMasterOptions): () => Promise<NewMaster> {
  switch (options.kind) {
    case 'passphrase':
      return async () => {
        const passphrase = await obtainPassphrase(
          { confirm: true, variable: NEW_PASSPHRASE_ENV, prompt: 'Passphrase for the new slot: ' },
          { env: context.env },
        );
        return {
          provider: new PassphraseKeyProvider(passphrase, options.kdfCost, options.label ?? 'passphrase'),
        };
      };
    case 'keychain':
      return () => Promise.resolve({ provider: keychainProvider(options.label) });
    case 'pkcs11': {
      const make = tokenKeyMaster(context, options, '--kind', NEW_TOKEN_PIN, options.label);
      return async () => ({ provider: await make() });
    }
    case 'recovery':
      return () => {
        const { provider, words } = RecoveryKeyProvider.generate();
        context.defer?.(() => provider.destroy());
        return Promise.resolve({ provider, words });
      };
  }
}

/** The recovery words, six to a line and numbered, with how to use them. */
export function printRecoveryKey(output: Output, headline: string, words: readonly string[]): void {
  output.print(`${headline} Write these 24 words down and keep them offline:`);
  output.print('');
  for (let row = 0; row < words.length; row += 6) {
    const line = words
      .slice(row, row + 6)
      .map((w, i) => `${String(row + i + 1).padStart(2)}. ${w.padEnd(10)}`);
    output.print(`  ${line.join(' ')}`);
  }
  output.print('');
  output.print(`They are not shown again. To unlock with them, set ${RECOVERY_KEY_ENV}.`);
}
