import { obtainPassphrase } from './passphrase.js';

/** A one-time code from an authenticator app, when the vault's policy asks for one. */
export const TOTP_ENV = 'VAULT_MANAGER_TOTP';

/** $VAULT_MANAGER_TOTP if set, else asked on the terminal without echo; asked only when policy needs it. */
export function obtainTotp(env: NodeJS.ProcessEnv): Promise<string> {
  return obtainPassphrase(
    { confirm: false, variable: TOTP_ENV, prompt: 'One-time code: ', noun: 'one-time code' },
    { env },
  );
}
