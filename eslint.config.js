// Lint enforces the rooms of design.md §2: which folder may import which, and which npm packages each
// room may use. A wrong import fails `npm run lint`, which `npm test` runs.
import tseslint from 'typescript-eslint';
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';

const ROOMS = ['common', 'core', 'native', 'main', 'preload', 'renderer', 'cli', 'control-plane'];

/** Rooms that `room` may import, per design.md §2. */
const MAY_IMPORT = {
  common: [],
  native: [],
  core: ['common', 'native'],
  main: ['common', 'core'],
  preload: ['common'],
  renderer: ['common'],
  cli: ['common', 'core'],
  'control-plane': ['common'],
};

/** npm packages each room may import (besides relative paths); anything else is an uncategorised dependency. */
const PACKAGES = {
  common: ['zod'],
  native: ['node:*', 'better-sqlite3'],
  core: ['node:*', 'zod', '@noble/ciphers', '@noble/ciphers/*'],
  cli: ['node:*', 'zod', 'commander', 'cli-progress'],
};

const toRegex = (name) => name.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*');

const layering = ROOMS.map((room) => ({
  target: `./${room}`,
  from: ROOMS.filter((other) => other !== room && !MAY_IMPORT[room].includes(other)).map((o) => `./${o}`),
  message: `Bad layering: ${room}/ may import only ${MAY_IMPORT[room].join(', ') || 'itself'} (design.md §2).`,
}));

const packageRules = Object.entries(PACKAGES).map(([room, allowed]) => ({
  files: [`${room}/**/*.ts`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          {
            regex: `^(?!\\.{1,2}/)(?!(${allowed.map(toRegex).join('|')})$)`,
            message: `Uncategorised dependency for ${room}/: add it to PACKAGES in eslint.config.js only if design.md §2 allows it.`,
          },
        ],
      },
    ],
  },
}));

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'scratch/**', '**/*.js', '**/*.mjs'] },
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { 'import-x': importX },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })] },
    rules: {
      'import-x/no-restricted-paths': ['error', { zones: layering }],
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's describe/it return promises that the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', package: 'node:test', name: ['describe', 'it', 'test', 'suite'] },
          ],
        },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  ...packageRules,
  {
    // Entry points talk to the terminal; everything else uses the logger.
    files: ['cli/**/*.ts', 'bench/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
    },
  },
);
