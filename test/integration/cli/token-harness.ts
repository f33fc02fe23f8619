/**
 * Real masters for command-line tests: SoftHSM2 tokens in a private token directory (the command sees it
 * through SOFTHSM2_CONF in its environment), and a gnome-keyring unlocked in a private D-Bus session.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../support/temp.js';
import { CLI, type CliResult } from './cli-harness.js';

export interface TokenDir {
  /** The SoftHSM2 config to hand to the command as SOFTHSM2_CONF. */
  conf: string;
  createToken(label: string, pin: string): void;
  /** Deletes the token, as a card pulled out of its reader disappears. */
  deleteToken(label: string): void;
}

export function softHsmTokenDir(): TokenDir {
  const dir = tempDir('vault-cli-tokens-');
  const tokens = join(dir, 'tokens');
  mkdirSync(tokens);
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(conf, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const util = (args: string[]) =>
    execFileSync('softhsm2-util', args, { env: { ...process.env, SOFTHSM2_CONF: conf }, stdio: 'pipe' });
  return {
    conf,
    createToken: (label, pin) =>
      util(['--init-token', '--free', '--label', label, '--so-pin', '12345678', '--pin', pin]),
    deleteToken: (label) => util(['--delete-token', '--token', label]),
  };
}

/** Starts gnome-keyring's secret service unlocked in the session, then becomes the command in "$@". */
const SESSION_SCRIPT =
  'eval "$(printf %s "$KEYRING_PASSWORD" | gnome-keyring-daemon --unlock --components=secrets)" && exec "$@"';

export interface DesktopUser {
  /** Only PATH and the user's own directories, so no D-Bus address or DISPLAY of the test runner leaks in. */
  env: NodeJS.ProcessEnv;
}

export function throwawayUser(): DesktopUser {
  const root = tempDir('vault-cli-keyring-');
  const home = join(root, 'home');
  const runtime = join(root, 'run');
  mkdirSync(home, { mode: 0o700 });
  mkdirSync(runtime, { mode: 0o700 });
  return {
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
 * Runs the command as `user`: inside a D-Bus session whose keyring is unlocked with `keyringPassword`, or
 * with no session at all (null). Each call is a new session; the keyring's files persist in the user's HOME.
 */
export function runAsDesktopUser(
  user: DesktopUser,
  args: readonly string[],
  keyringPassword: string | null,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return runInDesktopSession(user, CLI, args, keyringPassword, env);
}

/** Like runAsDesktopUser, for any node script (a fixture that looks into the keychain itself). */
export function runInDesktopSession(
  user: DesktopUser,
  script: string,
  args: readonly string[],
  keyringPassword: string | null,
  extraEnv: Record<string, string> = {},
): Promise<CliResult> {
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
