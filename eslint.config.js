// Lint rules: typescript-eslint's recommended set, and the layering of src/ (docs/ARCHITECTURE.md) made rules:
// core/ imports nothing outside core/; only main.ts, runtime/ and tests pick concrete adapters;
// the folders of src/ and of src/core/ form layers that imports only go down (eslint/layers.js);
// and no module imports itself back through others (import-x/no-cycle).
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';
import { layers } from './eslint/layers.js';

const adapters = ['**/store/sqlite/**', '**/store/postgres/**', '**/senders/**', '**/geo/**'];

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'data/**',
      'bench/results/**',
      '.prof/**',
      'eslint/**',
      '.stryker-tmp/**',
      'reports/**',
      'coverage/**',
    ],
  },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Layers, bottom first: a folder imports its own files and those of lower layers only.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/store/contract/**'],
    plugins: { herald: { rules: { layers } }, 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
    },
    rules: {
      'import-x/no-cycle': 'error',
      'herald/layers': [
        'error',
        {
          root: 'src',
          layers: [
            ['core'],
            ['store', 'senders', 'geo', 'http', 'client'],
            ['config'],
            ['console', 'runtime'],
            ['main'],
            ['cli'],
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      'herald/layers': [
        'error',
        {
          root: 'src/core',
          layers: [
            ['base'],
            ['requests', 'templates'],
            ['values'],
            ['catalog'],
            ['fields', 'api', 'monitoring', 'provisioning'],
            ['matching', 'geo'],
            ['profiles'],
            ['query', 'triggers'],
            ['imports', 'delivery'],
            ['launches', 'manage', 'hooks'],
            ['tasks'],
          ],
          // core/ports.ts sums every folder's store port into the Store the adapters implement;
          // core/methods.ts gathers every method of the API (declared beside its core function).
          top: ['ports', 'methods'],
        },
      ],
    },
  },
  {
    // Keys a client sends are data, never properties: `key in obj` is true for "toString" on any
    // object. Look them up with Object.hasOwn or a Map; a literal key (`'replay' in result`,
    // telling the members of a union apart) is not a client's key and stays allowed.
    files: ['src/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "BinaryExpression[operator='in'][left.type!='Literal']",
          message: 'a key that may come from input is data: use Object.hasOwn(obj, key) or a Map, never `key in obj`',
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../../*', '!../../core/*'], message: 'core/ must not import outside core/' },
            {
              group: [
                '**/http/**',
                '**/store/**',
                '**/senders/**',
                '**/runtime/**',
                '**/cli/**',
                '**/geo/dbip*',
                'fastify',
                'better-sqlite3',
                'pg',
                'postgres',
                'nodemailer',
                'saxes',
                'pino',
              ],
              message: 'core/ must not import adapters, frameworks or drivers',
            },
          ],
        },
      ],
    },
  },
  {
    // The client runs in browsers too: nothing but its own files (and fetch).
    files: ['src/client/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['../*', 'node:*'], message: 'src/client imports only its own files: it must run in a browser' },
          ],
        },
      ],
    },
  },
  {
    // The console reaches the server through the public API only, i.e. through the client.
    files: ['src/console/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../*', '!../client', '!../client/*', 'node:*'],
              message: 'the console imports only the client (src/client) and its own files',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/http/**/*.ts', 'src/cli/**/*.ts'],
    ignores: ['src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: adapters, message: 'http/ and cli/ call core/; only main.ts and runtime/ wire adapters' },
          ],
        },
      ],
    },
  },
);
