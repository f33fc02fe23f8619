/**
 * Real masters for command-line tests: SoftHSM2 tokens in a private token directory (the command sees it
 * through SOFTHSM2_CONF in its environment), and a gnome-keyring unlocked in a private D-Bus session.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../support/temp.js';
import { CLI, type CliResult } from './cli-harness.js';
import { runInDesktopSession, throwawayUser, type DesktopUser } from '../../support/desktop-session.js';

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
export function runAsDesktopUser(
  user: DesktopUser,
  args: readonly string[],
  keyringPassword: string | null,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return runInDesktopSession(user, CLI, args, keyringPassword, env);
}

export { runInDesktopSession, throwawayUser, type DesktopUser };
