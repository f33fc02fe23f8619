import type { Writable } from 'node:stream';

/**
 * Where a command's words go. With --json, stdout carries exactly one JSON document and nothing else, so a
 * script can parse it whole; human text, progress and warnings never reach stdout in that mode.
 */
export class Output {
  private documentWritten = false;

  constructor(
    readonly json: boolean,
    private readonly stdout: Writable = process.stdout,
    private readonly stderr: Writable = process.stderr,
  ) {}

  /**
   * A command's result: the JSON document in --json mode, else whatever `human` prints. Call it once per
   * command run; a second document would break the one-document promise, so it throws.
   */
  result(document: unknown, human: () => void): void {
    if (!this.json) {
      human();
      return;
    }
    this.document(document);
  }

  /** Writes the single JSON document of a --json run (a result, or an error). */
  document(value: unknown): void {
    if (this.documentWritten) throw new Error('a --json run writes only one document');
    this.documentWritten = true;
    this.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  }

  get hasWrittenDocument(): boolean {
    return this.documentWritten;
  }

  /** One line of human text on stdout; nothing in --json mode. */
  print(text = ''): void {
    if (!this.json) this.stdout.write(`${text}\n`);
  }

  /** One line on stderr, in both modes: warnings, rejected lines, error messages. */
  warn(text: string): void {
    this.stderr.write(`${text}\n`);
  }
}
