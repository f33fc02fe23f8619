import { Option, type Command } from 'commander';
import type { KeyProvider } from '../core/keys/key-provider.js';
import type { Pkcs11Scheme } from '../core/keys/pkcs11-provider.js';
import type { CommandContext } from './context.js';
import { usageError } from './exit-codes.js';
import { DEFAULT_KEY_LABEL, MECHANISMS, newPkcs11Provider, type PinSource } from './masters.js';

/**
 * The flags that name a new master key on a token. `init --key-provider pkcs11`, `keys slots add --kind
 * pkcs11` and `keys rotate-master --kind pkcs11` all take them, so they are spelled and checked once here.
 */
export interface TokenKeyOptions {
  pkcs11Module?: string;
  tokenLabel?: string;
  keyLabel: string;
  mechanism?: Pkcs11Scheme;
}

export function withTokenKeyOptions(command: Command): Command {
  return command
    .option('--pkcs11-module <path>', 'PKCS#11 module (default: the first one installed)')
    .option('--token-label <label>', 'the token holding the master key (pkcs11)')
    .option('--key-label <name>', 'the master key on the token; made if missing (pkcs11)', DEFAULT_KEY_LABEL)
    .addOption(
      new Option('--mechanism <mechanism>', 'how the token protects the vault key (pkcs11)').choices(
        MECHANISMS,
      ),
    );
}

/**
 * Checks the token flags now, before a vault is opened or any secret asked for, and returns what makes
 * the provider later (asking for the PIN then). `kindFlag` is the flag that chose pkcs11, for the message.
 */
export function tokenKeyMaster(
  context: CommandContext,
  options: TokenKeyOptions,
  kindFlag: string,
  pin: PinSource,
  label?: string,
): () => Promise<KeyProvider> {
  const tokenLabel = options.tokenLabel;
  if (tokenLabel === undefined) throw usageError(`${kindFlag} pkcs11 needs --token-label LABEL`);
  return () =>
    newPkcs11Provider(
      context,
      {
        tokenLabel,
        keyLabel: options.keyLabel,
        ...(options.pkcs11Module === undefined ? {} : { modulePath: options.pkcs11Module }),
        ...(options.mechanism === undefined ? {} : { mechanism: options.mechanism }),
        ...(label === undefined ? {} : { label }),
      },
      pin,
    );
}
