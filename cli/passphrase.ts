import { CliError } from './exit-codes.js';
import { promptSecret, type TerminalInput } from './secret-prompt.js';

/**
 * The only way to hand a passphrase over without a terminal. There is deliberately no flag for it: a flag
 * would sit in shell history and in every process listing.
 */
export const PASSPHRASE_ENV = 'VAULT_MANAGER_PASSPHRASE';
/** The passphrase of a new key slot (`keys slots add --kind passphrase`), when there is no terminal. */
export const NEW_PASSPHRASE_ENV = 'VAULT_MANAGER_NEW_PASSPHRASE';

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
  options: { confirm: boolean; variable?: string; prompt?: string; noun?: string },
  source: PassphraseSource = {},
): Promise<string> {
  const env = source.env ?? process.env;
  const variable = options.variable ?? PASSPHRASE_ENV;
  const noun = options.noun ?? 'passphrase';
  const fromEnv = env[variable];
  if (fromEnv !== undefined) {
    if (fromEnv.length === 0) throw new CliError(`${variable} is set but empty`);
    return fromEnv;
  }
  const input = source.input ?? process.stdin;
  if (!input.isTTY) {
    throw new CliError(`no ${noun}: set ${variable}, or run this command in a terminal to be asked for it`);
  }
  const prompt = options.prompt ?? (options.confirm ? 'New vault passphrase: ' : 'Vault passphrase: ');
  const first = await promptSecret(prompt, input);
  if (first.length === 0) throw new CliError(`the ${noun} must not be empty`);
  if (options.confirm) {
    const second = await promptSecret('Repeat the passphrase: ', input);
    if (second !== first) throw new CliError('the two passphrases do not match; nothing was created');
  }
  return first;
}
