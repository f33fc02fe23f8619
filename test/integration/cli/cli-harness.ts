import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TraceInput } from '../../../common/trace.js';
import { REPO_ROOT } from '../../support/shared-data.js';
import { TEST_PASSPHRASE, TEST_SCRYPT_COST } from '../../support/temp.js';

/** The built command, run as a user would run it: a separate node process. */
export const CLI = join(REPO_ROOT, 'dist', 'cli', 'main.js');
export const KDF = ['--kdf-cost', String(TEST_SCRYPT_COST)];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Extra variables; `undefined` removes one. VAULT_MANAGER_PASSPHRASE defaults to TEST_PASSPHRASE. */
  env?: Record<string, string | undefined>;
  stdin?: string;
}

/** Variables of the test runner that must not leak into the command under test. */
const CLEARED = [
  'VAULT_MANAGER_HOME',
  'VAULT_MANAGER_PASSPHRASE',
  'VAULT_MANAGER_DEBUG',
  'VAULT_MANAGER_PIN',
  'VAULT_MANAGER_NEW_PIN',
  'VAULT_MANAGER_NEW_PASSPHRASE',
  'VAULT_MANAGER_PKCS11_MODULE',
  'VAULT_MANAGER_RECOVERY_KEY',
  'VAULT_MANAGER_USER',
  'VAULT_MANAGER_TOTP',
];

export function cliEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CLEARED) delete env[name];
  env.VAULT_MANAGER_PASSPHRASE = TEST_PASSPHRASE;
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}

export function runCli(args: readonly string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: cliEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

/** Runs a command and asserts its exit status, showing stderr when it differs. */
export async function expectExit(
  args: readonly string[],
  code: number,
  options: RunOptions = {},
): Promise<CliResult> {
  const result = await runCli(args, options);
  assert.equal(
    result.code,
    code,
    `vault-manager ${args.join(' ')} exited ${result.code}, expected ${code}\nstderr: ${result.stderr}\nstdout: ${result.stdout}`,
  );
  return result;
}

/** Runs a --json command: stdout must be exactly one JSON document. Returns it parsed. */
export async function runJson<T>(
  args: readonly string[],
  code = 0,
  options: RunOptions = {},
): Promise<{ doc: T; result: CliResult }> {
  const result = await expectExit([...args, '--json'], code, options);
  let doc: T;
  try {
    doc = JSON.parse(result.stdout) as T;
  } catch (error) {
    assert.fail(
      `stdout of vault-manager ${args.join(' ')} --json is not one JSON document: ${String(error)}\n${result.stdout}`,
    );
  }
  return { doc, result };
}

export async function initVault(home: string, extra: readonly string[] = []): Promise<void> {
  await expectExit(['init', '--home', home, ...KDF, ...extra], 0);
}

export function writeJsonLines(file: string, records: readonly unknown[]): string {
  writeFileSync(file, records.map((r) => `${typeof r === 'string' ? r : JSON.stringify(r)}\n`).join(''));
  return file;
}

/** A trace as the vault returns it: the schema's defaults filled in. */
export function asStored(input: TraceInput & { id: string }): Record<string, unknown> {
  return { tool_calls: [], attributes: {}, metadata: {}, ...input };
}

/** MirrorDNA events of two interleaved sessions, as `activemirror export --format mirrordna` writes them. */
export function mirrorDnaEvents(): Record<string, unknown>[] {
  const event = (session: string, type: string, minute: number, payload: Record<string, unknown> = {}) => ({
    session_id: session,
    vault_id: 'mirror-vault-1',
    event_type: type,
    timestamp: `2026-02-01T10:${String(minute).padStart(2, '0')}:00Z`,
    payload,
  });
  return [
    event('m1', 'session_start', 0, { agent_id: 'mirror-agent', user_id: 'mirror-user', model: 'm-model' }),
    event('m2', 'session_start', 1, { agent_id: 'mirror-agent', user_id: 'mirror-user-2' }),
    event('m1', 'user_message', 2, { content: 'please reconcile the quarterly zebrafinch ledger' }),
    event('m2', 'prompt', 3, { text: 'translate the discharge letter' }),
    event('m1', 'tool_call', 4, { id: 'c1', name: 'ledger_lookup', arguments: { quarter: 'Q1' } }),
    event('m1', 'tool_result', 5, { id: 'c1', result: { rows: 3 } }),
    event('m1', 'assistant_message', 6, { content: 'the zebrafinch ledger balances' }),
    event('m2', 'response', 7, { text: 'here is the translated letter' }),
    event('m1', 'session_end', 8),
    event('m2', 'session_end', 9),
  ];
}

/**
 * Runs the command on a pseudo-terminal (util-linux `script`, present on every Debian system) and types
 * each answer once its prompt ("...passphrase: ", or what `prompt` matches) has appeared, as a person
 * would. Returns everything the terminal showed. VAULT_MANAGER_PASSPHRASE is unset unless `env` sets it.
 */
export function inTerminal(
  args: readonly string[],
  answers: readonly string[] = [],
  env: Record<string, string | undefined> = {},
  prompt = /passphrase: /gi,
): Promise<{ code: number | null; transcript: string }> {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: cliEnv({ VAULT_MANAGER_PASSPHRASE: undefined, ...env }),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let transcript = '';
    let answered = 0;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      transcript += chunk;
      const prompts = transcript.match(prompt)?.length ?? 0;
      while (answered < prompts && answered < answers.length) child.stdin.write(`${answers[answered++]}\r`);
    });
    child.on('error', (error) =>
      reject(new Error(`cannot run util-linux \`script\` for a pseudo-terminal: ${error.message}`)),
    );
    child.on('close', (code) => resolve({ code, transcript }));
  });
}
