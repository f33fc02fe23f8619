/** The command's exit statuses. Scripts depend on these numbers: never renumber them. */
export const ExitCode = {
  OK: 0,
  /** The command ran and failed: wrong passphrase, no vault, bad input lines, a storage failure. */
  ERROR: 1,
  /** The command line itself was wrong: unknown command or option, missing argument, bad flag value. */
  USAGE: 2,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/**
 * A failure the command line detected itself, with the exit status it calls for. Its message is shown as
 * is, so it must say what was wrong and where, and never carry a secret or trace content.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.ERROR,
    /** A short machine-readable code for --json output. */
    readonly code = exitCode === ExitCode.USAGE ? 'USAGE' : 'ERROR',
  ) {
    super(message);
  }
}

export function usageError(message: string): CliError {
  return new CliError(message, ExitCode.USAGE);
}
