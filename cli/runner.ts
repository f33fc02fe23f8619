import { contextOf, type CommandContext, type CommonOptions } from './context.js';
import { ExitCode } from './exit-codes.js';

/** A command's body: does its work, prints its result, and says how it ended (OK unless it says otherwise). */
export type CommandBody = (context: CommandContext) => Promise<ExitCode | void>;

/**
 * Runs command bodies for the program and remembers how the last one ended. Commander ignores what an
 * action returns, so the exit status and the context (needed to print an error in the right mode) are
 * kept here for the entry point.
 */
export class Runner {
  exitCode: ExitCode = ExitCode.OK;
  context: CommandContext | undefined;

  constructor(readonly env: NodeJS.ProcessEnv = process.env) {}

  async run(options: CommonOptions, body: CommandBody): Promise<void> {
    const releases: (() => void)[] = [];
    this.context = { ...contextOf(options, this.env), defer: (release) => releases.push(release) };
    try {
      this.exitCode = (await body(this.context)) ?? ExitCode.OK;
    } finally {
      // Newest first: a provider is disposed before the module it uses is closed.
      for (const release of releases.reverse()) release();
    }
  }
}
