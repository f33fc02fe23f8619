import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerAudit } from './commands/audit.js';
import { registerBreakGlass } from './commands/break-glass.js';
import { registerExport } from './commands/export.js';
import { registerHealth } from './commands/health.js';
import { registerImport } from './commands/import.js';
import { registerInit } from './commands/init.js';
import { registerKeys } from './commands/keys.js';
import { registerPolicy } from './commands/policy.js';
import { registerQuickstart } from './commands/quickstart.js';
import { registerRoles } from './commands/roles.js';
import { registerTraces } from './commands/traces.js';
import { registerUsers, registerWhoami } from './commands/users.js';
import { ExitCode } from './exit-codes.js';
import { Output } from './output.js';
import { debugEnabled, describeError } from './report-error.js';
import { Runner } from './runner.js';

/** The whole command tree. Settings made here before `.command()` are inherited by every subcommand. */
export function buildProgram(runner: Runner): Command {
  const program = new Command('vault-manager')
    .description('Keep AI-agent traces encrypted at rest, and search them, on this machine.')
    .version(packageVersion(), '-V, --version')
    // Usage errors surface as CommanderError so the entry point can give them exit status 2.
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Every command takes --home DIR (default: $VAULT_MANAGER_HOME, else the user data directory), --json,
--unlock-with passphrase|pkcs11|keychain (default: the kind of the vault's first key slot) and
--as NAME (whose key slot to unlock with, so whose permissions apply; default: $VAULT_MANAGER_USER).
The passphrase comes from $VAULT_MANAGER_PASSPHRASE, a token PIN from $VAULT_MANAGER_PIN, else either is
asked for on the terminal. $VAULT_MANAGER_RECOVERY_KEY unlocks with the recovery key instead. When the
policy requires a one-time code, it comes from $VAULT_MANAGER_TOTP, else it is asked for.
Every command is checked against your roles and recorded in the audit log (see \`audit query\`).
Exit status: 0 success, 1 failure, 2 wrong usage.`,
    );
  registerInit(program, runner);
  registerImport(program, runner);
  registerTraces(program, runner);
  registerExport(program, runner);
  registerKeys(program, runner);
  registerUsers(program, runner);
  registerRoles(program, runner);
  registerPolicy(program, runner);
  registerWhoami(program, runner);
  registerBreakGlass(program, runner);
  registerAudit(program, runner);
  registerHealth(program, runner);
  registerQuickstart(program, runner);
  return program;
}

/**
 * Runs one command line (without the node and script arguments) and returns its exit status. Every
 * failure ends here: one line on stderr, and with --json also one error document on stdout.
 */
export async function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<ExitCode> {
  const runner = new Runner(env);
  const program = buildProgram(runner);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return runner.exitCode;
  } catch (error) {
    // --help and --version also arrive here, as a CommanderError with status 0.
    if (error instanceof CommanderError && error.exitCode === 0) return ExitCode.OK;
    const described = describeError(error);
    const output = runner.context?.output ?? new Output(wantsJson(argv));
    // Commander has already printed its own usage message; everything else is printed here.
    if (!(error instanceof CommanderError)) output.warn(`error: ${described.message}`);
    if (described.code === 'UNEXPECTED' && debugEnabled(env) && error instanceof Error && error.stack) {
      output.warn(error.stack);
    }
    if (output.json && !output.hasWrittenDocument) {
      output.document({ error: { code: described.code, message: described.message } });
    }
    return described.exitCode;
  }
}

/** Before commander has parsed anything, a usage error still owes --json its one document. */
function wantsJson(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).includes('--json');
}

function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'vault-manager' && pkg.version) return pkg.version;
    } catch {
      // no package.json here; keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}
