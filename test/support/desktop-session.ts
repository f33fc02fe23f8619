import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from './temp.js';

/**
 * A desktop user for keychain tests: only PATH and the user's own directories, so no D-Bus address or
 * DISPLAY of the test runner leaks in, and the keyring's files live (and persist) in its own HOME.
 */
export interface DesktopUser {
  home: string;
  env: NodeJS.ProcessEnv;
}

export interface ProcessResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Unlocks gnome-keyring's secret service inside the session with $KEYRING_PASSWORD (machine.md). */
const SESSION_SCRIPT =
  'eval "$(printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)" && exec "$@"';

export function throwawayUser(prefix = 'vault-desktop-user-'): DesktopUser {
  const root = tempDir(prefix);
  const home = join(root, 'home');
  const runtime = join(root, 'run');
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(runtime, { mode: 0o700 });
  return {
    home,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      XDG_DATA_HOME: join(home, '.local', 'share'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_RUNTIME_DIR: runtime,
    },
  };
}

/**
 * Runs a node script as `user`: inside a fresh D-Bus session whose keyring is unlocked with
 * `keyringPassword`, or with no session at all (null).
 */
export function runInDesktopSession(
  user: DesktopUser,
  script: string,
  args: readonly string[],
  keyringPassword: string | null,
  extraEnv: Record<string, string> = {},
): Promise<ProcessResult> {
  const node = [process.execPath, script, ...args];
  const [command, commandArgs] =
    keyringPassword === null
      ? [node[0]!, node.slice(1)]
      : ['dbus-run-session', ['--', 'bash', '-c', SESSION_SCRIPT, 'vault-session', ...node]];
  const env = {
    ...user.env,
    ...extraEnv,
    ...(keyringPassword === null ? {} : { KEYRING_PASSWORD: keyringPassword }),
  };
  return new Promise((resolve, reject) => {
    const child = spawn(command, commandArgs, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
