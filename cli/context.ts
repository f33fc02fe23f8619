import { resolve } from 'node:path';
import type { Command } from 'commander';
import { defaultHome } from '../core/vault/home.js';
import { Output } from './output.js';

/** Options every command takes. */
export interface CommonOptions {
  home?: string;
  json?: boolean;
}

/** What a command's action receives besides its own flags: where the vault is, and where words go. */
export interface CommandContext {
  home: string;
  output: Output;
  env: NodeJS.ProcessEnv;
}

/** Adds --home and --json to a command; every leaf command takes both. */
export function withCommonOptions(command: Command): Command {
  return command
    .option('--home <dir>', 'vault directory (default: $VAULT_MANAGER_HOME, else the user data directory)')
    .option('--json', 'print exactly one JSON document on stdout, and nothing else');
}

/** --home, else VAULT_MANAGER_HOME, else the platform's user data directory; always absolute. */
export function contextOf(options: CommonOptions, env: NodeJS.ProcessEnv = process.env): CommandContext {
  return {
    home: resolve(options.home ?? defaultHome(env)),
    output: new Output(options.json === true),
    env,
  };
}
