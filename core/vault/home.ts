import { homedir } from 'node:os';
import { join } from 'node:path';

export const DATABASE_FILE = 'vault.db';

/**
 * Where a vault lives when no --home is given: VAULT_MANAGER_HOME, else the platform's user data
 * directory (XDG_DATA_HOME on Linux, Application Support on macOS, APPDATA on Windows).
 */
export function defaultHome(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.VAULT_MANAGER_HOME) return env.VAULT_MANAGER_HOME;
  if (platform === 'win32')
    return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'vault-manager');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'vault-manager');
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'vault-manager');
}

export function databasePath(home: string): string {
  return join(home, DATABASE_FILE);
}
