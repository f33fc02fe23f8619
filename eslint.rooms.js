// The rooms of design.md §2 as lint rules: which folder may import which (import-x/no-restricted-paths,
// resolved through TypeScript), and which npm packages each room may use (no-restricted-imports).
// eslint.config.js applies them; test/unit/lint/ proves that a wrong import fails.
import importX from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { join } from 'node:path';

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
  native: ['node:*', 'better-sqlite3', 'pkcs11js', 'keytar'],
  core: ['node:*', 'zod', '@noble/ciphers', '@noble/ciphers/*', '@scure/bip39', '@scure/bip39/*', 'otpauth'],
  main: ['node:*', 'zod', 'electron'],
  cli: ['node:*', 'zod', 'commander', 'cli-progress'],
};

const toRegex = (name) => name.replace(/[.+?^${}()|[\]\\/]/g, '\\$&').replace(/\*/g, '.*');

const layering = ROOMS.map((room) => ({
  target: `./${room}`,
  from: ROOMS.filter((other) => other !== room && !MAY_IMPORT[room].includes(other)).map((o) => `./${o}`),
  message: `Bad layering: ${room}/ may import only ${MAY_IMPORT[room].join(', ') || 'itself'} (design.md §2).`,
}));

/**
 * The entry rooms reach the engine only through the session (design.md §5: one gate). The ungated facade,
 * the store, the keyring and the audit writer stay inside core/.
 */
const ENGINE_INSIDES = [
  './core/vault/vault.ts',
  './core/store',
  './core/keys/keyring.ts',
  './core/audit/audit-log.ts',
  './core/access/gate.ts',
];
const oneGate = ['cli', 'main'].map((room) => ({
  target: `./${room}`,
  from: ENGINE_INSIDES,
  message: `${room}/ reaches the engine through VaultSession (core/access/vault-session.ts), the one gate (design.md §5).`,
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
            message: `Uncategorised dependency for ${room}/: add it to PACKAGES in eslint.rooms.js only if design.md §2 allows it.`,
          },
        ],
      },
    ],
  },
}));

/** Flat-config entries for the room rules, for the repository at `root`. */
export function roomConfigs(root) {
  return [
    {
      files: ['**/*.ts'],
      plugins: { 'import-x': importX },
      settings: {
        'import-x/resolver-next': [createTypeScriptImportResolver({ project: join(root, 'tsconfig.json') })],
      },
      rules: {
        'import-x/no-restricted-paths': ['error', { zones: [...layering, ...oneGate], basePath: root }],
      },
    },
    ...packageRules,
  ];
}
