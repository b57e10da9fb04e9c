// @ts-check
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/**
 * File names say where code runs: *.main.ts (Electron main), *.preload.ts (Electron preload,
 * sandboxed), *.node.ts (Node), *.dom.ts(x) (the renderer). The import restrictions below enforce it,
 * so a renderer cannot pull in SQLite and a Node service cannot reach for Electron.
 *
 * Type-only imports are always allowed: with verbatimModuleSyntax `import type` is erased, so it
 * cannot make code run anywhere. (Plain tseslint `recommended`, not the type-checked set: type-aware
 * linting of the whole monorepo is too slow on two cores; tsc already checks types.)
 */

const escape = (text) => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const nodeBuiltins = `^(node:.*|${builtinModules.map(escape).join('|')})(/.*)?$`;

/** One restriction: an import-source regex and why it is forbidden. */
const forbid = (regex, message) => ({ regex, message, allowTypeImports: true });

// electron/package.json is data (the installed version), not Electron itself.
const NO_ELECTRON = forbid('^electron(?!/package\\.json$)(/.*)?$', 'Only *.main.ts and *.preload.ts may import electron.');

const restrictImports = (...patterns) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns }],
});

/** A preload may use electron, the contracts and other preload modules: nothing that grows its bundle
 * or its privileges. Anything else is refused by one negative look-ahead. */
const PRELOAD_ALLOWED = [
  '^electron$',
  '^@kawei/shared/contract/[\\w.-]+$',
  '^@kawei/shared/electron/[\\w.-]+\\.preload\\.ts$',
  '^(\\.{1,2}/)+contract/[\\w.-]+$',
  '^(\\.{1,2}/)+([\\w.-]+/)*[\\w.-]+\\.preload\\.ts$',
];

export default defineConfig(
  globalIgnores([
    '**/node_modules/**',
    '**/dist/**',
    '**/dist-electron/**',
    '**/release/**',
    'test-results/**',
    'playwright-report/**',
    // Deliberately insecure / broken fixtures for the Electronegativity gate's own tests.
    'tests/fixtures/insecure-electron/**',
    'tests/fixtures/unparseable-electron/**',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    files: ['**/*.tsx'],
    ...reactHooks.configs.flat.recommended,
  },
  {
    rules: {
      // `_`-prefixed parameters are deliberate placeholders (e.g. Electron handler signatures).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },

  // Where code runs. Later blocks replace the rule for the files they match, so each block lists the
  // complete set of restrictions for its files.
  {
    files: ['**/*.{ts,tsx,js,mjs,cjs}'],
    ignores: ['**/*.main.ts', '**/*.preload.ts'],
    rules: restrictImports(NO_ELECTRON),
  },
  {
    files: ['**/*.dom.ts', '**/*.dom.tsx'],
    rules: restrictImports(
      forbid(nodeBuiltins, 'The renderer has no Node: no node: built-ins.'),
      NO_ELECTRON,
      forbid('^(better-sqlite3|ws)(/.*)?$', 'better-sqlite3 and ws are Node-only; use the app API client.'),
      forbid('\\.(node|main|preload)\\.ts$', 'The renderer may not import *.node, *.main or *.preload modules.'),
    ),
  },
  {
    files: ['**/*.preload.ts'],
    rules: restrictImports(
      forbid(
        `^(?!(${PRELOAD_ALLOWED.join('|')})).*`,
        'A preload may import only electron, the shared contract modules and other *.preload modules.',
      ),
    ),
  },
);
