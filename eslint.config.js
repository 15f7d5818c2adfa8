// Lint, and the import matrix between folders (DESIGN.md, "Layout"): folders are runtimes.
import { builtinModules } from 'node:module';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];
const nativeModules = ['better-sqlite3', 'node-pty'];

/** A rule that forbids the given modules and folders, with a message that says why. */
function forbid({ modules = [], folders = [], why }) {
  return {
    'no-restricted-imports': [
      'error',
      {
        paths: modules.map((name) => ({ name, message: why })),
        patterns: folders.map((folder) => ({ group: [`**/${folder}/**`, `**/${folder}`], message: why })),
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test/fixtures/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['shared/**/*.ts'],
    rules: forbid({
      modules: [...nodeBuiltins, 'electron', ...nativeModules],
      folders: ['electron', 'renderer'],
      why: 'shared/ runs everywhere: it imports nothing of Node, the DOM or Electron.',
    }),
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: forbid({
      modules: [...nodeBuiltins, 'electron', ...nativeModules],
      folders: ['electron'],
      why: 'renderer/ imports shared/ only; it reaches the engine through the preload API.',
    }),
  },
  {
    files: ['electron/preload/**/*.ts'],
    rules: forbid({
      modules: [...nodeBuiltins, ...nativeModules],
      folders: ['engine', 'main', 'cli', 'renderer'],
      why: 'electron/preload imports shared/ and Electron\'s renderer modules only.',
    }),
  },
  {
    files: ['electron/main/**/*.ts'],
    rules: forbid({
      modules: nativeModules,
      folders: ['engine', 'cli', 'preload', 'renderer'],
      why: 'Electron main loads no native module and no engine code: it talks to the engine over its socket.',
    }),
  },
  {
    files: ['electron/client/**/*.ts'],
    rules: forbid({
      modules: ['electron', ...nativeModules],
      folders: ['main', 'preload', 'engine', 'cli', 'renderer'],
      why: 'electron/client is shared by the CLI and Electron main: it imports shared/ and Node only.',
    }),
  },
  {
    files: ['electron/engine/**/*.ts'],
    rules: forbid({
      modules: ['electron'],
      folders: ['main', 'preload', 'cli', 'renderer'],
      why: 'The engine is plain Node: no engine file imports Electron or another runtime\'s code.',
    }),
  },
  {
    files: ['electron/cli/**/*.ts'],
    rules: forbid({
      modules: ['electron', ...nativeModules],
      folders: ['main', 'preload', 'engine', 'renderer'],
      why: 'The CLI is a client of the engine: it imports shared/ and Node only.',
    }),
  },
);
