import type { Writable } from 'node:stream';
import { CliError } from './exit-codes.js';

/** The parts of a terminal's input stream the prompt uses (process.stdin when it is a TTY). */
export interface TerminalInput {
  readonly isTTY?: boolean;
  setRawMode(mode: boolean): unknown;
  setEncoding(encoding: BufferEncoding): unknown;
  on(event: 'data', listener: (chunk: string) => void): unknown;
  off(event: 'data', listener: (chunk: string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
}

const ENTER = new Set(['\r', '\n']);
const CTRL_C = '\u0003';
const CTRL_D = '\u0004';
const CTRL_U = '\u0015';
const BACKSPACE = new Set(['\u007f', '\b']);

/**
 * Asks for a secret on the terminal without echoing it: the terminal is put in raw mode, so the typed
 * characters reach only this function, and nothing is written back but the prompt and a final newline.
 * The prompt goes to stderr so that stdout (and --json output) stays clean.
 *
 * Never log or echo the returned value; it is the key to every trace in the vault.
 */
export function promptSecret(
  question: string,
  input: TerminalInput = process.stdin,
  output: Writable = process.stderr,
): Promise<string> {
  if (!input.isTTY) {
    return Promise.reject(new CliError('cannot ask for a secret: standard input is not a terminal'));
  }
  return new Promise((resolvePrompt, rejectPrompt) => {
    // Characters, not UTF-16 units, so backspace removes a whole emoji or accented letter.
    let typed: string[] = [];
    const finish = (error?: CliError) => {
      input.off('data', onData);
      input.setRawMode(false);
      input.pause();
      output.write('\n');
      if (error) rejectPrompt(error);
      else resolvePrompt(typed.join(''));
      typed = [];
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (ENTER.has(char)) return finish();
        if (char === CTRL_C) return finish(new CliError('cancelled'));
        if (char === CTRL_D) {
          return typed.length === 0 ? finish(new CliError('cancelled: no secret entered')) : finish();
        }
        if (BACKSPACE.has(char)) typed.pop();
        else if (char === CTRL_U) typed = [];
        // Other control characters (arrow keys, escape sequences) are not part of a secret.
        else if (char >= ' ' && char !== '\u007f') typed.push(char);
      }
      return undefined;
    };
    // Raw mode first: a key typed the moment the prompt appears must not be echoed by the terminal.
    input.setEncoding('utf8');
    input.setRawMode(true);
    output.write(question);
    input.on('data', onData);
    input.resume();
  });
}
