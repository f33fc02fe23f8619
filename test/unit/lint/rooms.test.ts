import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import tseslint from 'typescript-eslint';
import { REPO_ROOT } from '../../support/shared-data.js';

/** The room rules exactly as eslint.config.js applies them. */
const { roomConfigs } = (await import(pathToFileURL(join(REPO_ROOT, 'eslint.rooms.js')).href)) as {
  roomConfigs: (root: string) => Linter.Config[];
};

const eslint = new ESLint({
  cwd: REPO_ROOT,
  overrideConfigFile: true,
  overrideConfig: [
    { files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } },
    ...roomConfigs(REPO_ROOT),
  ],
});

/** Rule ids reported for `code` as if it were a file in `room`. */
async function violations(room: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(REPO_ROOT, room, 'layering-probe.ts') });
  return (result?.messages ?? []).map((m) => m.ruleId ?? `fatal: ${m.message}`);
}

describe('room boundaries (design.md §2) fail lint', () => {
  const forbidden: [room: string, code: string, rule: string][] = [
    [
      'common',
      "import { Vault } from '../core/vault/vault.js'; export { Vault };",
      'import-x/no-restricted-paths',
    ],
    ['core', "import { run } from '../cli/program.js'; export { run };", 'import-x/no-restricted-paths'],
    [
      'cli',
      "import { openDatabase } from '../native/sqlite.js'; export { openDatabase };",
      'import-x/no-restricted-paths',
    ],
    [
      'native',
      "import { ErrorCode } from '../common/errors.js'; export { ErrorCode };",
      'import-x/no-restricted-paths',
    ],
    [
      'cli',
      "import { Vault } from '../core/vault/vault.js'; export { Vault };",
      'import-x/no-restricted-paths',
    ],
    [
      'main',
      "import { TraceStore } from '../core/store/trace-store.js'; export { TraceStore };",
      'import-x/no-restricted-paths',
    ],
    ['common', "import { readFileSync } from 'node:fs'; export { readFileSync };", 'no-restricted-imports'],
    ['core', "import { Command } from 'commander'; export { Command };", 'no-restricted-imports'],
    ['core', "import { app } from 'electron'; export { app };", 'no-restricted-imports'],
  ];
  for (const [room, code, rule] of forbidden) {
    it(`refuses in ${room}/: ${code.split(';')[0]}`, async () => {
      assert.deepEqual(await violations(room, code), [rule]);
    });
  }

  const allowed: [room: string, code: string][] = [
    [
      'core',
      "import { ErrorCode } from '../common/errors.js'; import { openDatabase } from '../native/sqlite.js'; import { createHmac } from 'node:crypto'; export { ErrorCode, openDatabase, createHmac };",
    ],
    [
      'cli',
      "import { VaultSession } from '../core/access/vault-session.js'; import { Command } from 'commander'; export { VaultSession, Command };",
    ],
    ['common', "import { z } from 'zod'; export { z };"],
  ];
  for (const [room, code] of allowed) {
    it(`allows in ${room}/: ${code.split(';')[0]}`, async () => {
      assert.deepEqual(await violations(room, code), []);
    });
  }
});
