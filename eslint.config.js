// Lint rules: typescript-eslint's recommended set, and the layering of STYLE.md made a rule:
// core/ imports nothing outside core/; only main.ts, runtime/ and tests pick concrete adapters.
import tseslint from 'typescript-eslint';

const adapters = ['**/store/sqlite/**', '**/store/postgres/**', '**/senders/**', '**/geo/**'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'bench/results/**', '.prof/**', '.stryker-tmp/**', 'reports/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': ['error', { patterns: [
        { group: ['../../*', '!../../core/*'], message: 'core/ must not import outside core/' },
        { group: ['**/http/**', '**/store/**', '**/senders/**', '**/runtime/**', '**/cli/**', '**/geo/dbip*', 'fastify', 'better-sqlite3', 'pg', 'postgres', 'nodemailer', 'saxes', 'pino'], message: 'core/ must not import adapters, frameworks or drivers' },
      ] }],
    },
  },
  {
    // The client runs in browsers too: nothing but its own files (and fetch).
    files: ['src/client/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*', 'node:*'], message: 'src/client imports only its own files: it must run in a browser' }] }],
    },
  },
  {
    // The console reaches the server through the public API only, i.e. through the client.
    files: ['src/console/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['../*', '!../client', '!../client/*', 'node:*'], message: 'the console imports only the client (src/client) and its own files' }] }],
    },
  },
  {
    files: ['src/http/**/*.ts', 'src/cli/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: adapters, message: 'http/ and cli/ call core/; only main.ts and runtime/ wire adapters' }] }],
    },
  },
);
