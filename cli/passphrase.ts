import { CliError } from './exit-codes.js';
import { promptSecret, type TerminalInput } from './secret-prompt.js';

/**
 * The only way to hand a passphrase over without a terminal. There is deliberately no flag for it: a flag
 * would sit in shell history and in every process listing.
 */
export const PASSPHRASE_ENV = 'VAULT_MANAGER_PASSPHRASE';

export interface PassphraseSource {
  env?: NodeJS.ProcessEnv;
  input?: TerminalInput;
}

/**
 * The vault passphrase: VAULT_MANAGER_PASSPHRASE if set, else asked on the terminal without echo. With
 * `confirm` (creating a vault) it is asked twice, and a mismatch is an error rather than a vault locked
 * with a typo.
 */
export async function obtainPassphrase(
  options: { confirm: boolean },
  source: PassphraseSource = {},
): Promise<string> {
  const env = source.env ?? process.env;
  const fromEnv = env[PASSPHRASE_ENV];
  if (fromEnv !== undefined) {
    if (fromEnv.length === 0) throw new CliError(`${PASSPHRASE_ENV} is set but empty`);
    return fromEnv;
  }
  const input = source.input ?? process.stdin;
  if (!input.isTTY) {
    throw new CliError(
      `no passphrase: set ${PASSPHRASE_ENV}, or run this command in a terminal to be asked for it`,
    );
  }
  const first = await promptSecret(options.confirm ? 'New vault passphrase: ' : 'Vault passphrase: ', input);
  if (first.length === 0) throw new CliError('the passphrase must not be empty');
  if (options.confirm) {
    const second = await promptSecret('Repeat the passphrase: ', input);
    if (second !== first) throw new CliError('the two passphrases do not match; nothing was created');
  }
  return first;
}
