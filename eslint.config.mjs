// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// Everything src/core must never touch: frameworks, the ORM, drivers and Node's I/O modules.
const forbiddenInCore = [
  '@nestjs/*', 'typeorm', 'pg', 'ioredis', 'bullmq', 'protobufjs', 'protobufjs/*', 'node-zookeeper-client',
  'fastify', 'fastify/*', '@fastify/*', 'pino', 'prom-client', 'undici', 'axios',
  'fs', 'fs/*', 'node:*', 'http', 'https', 'net', 'dgram', 'child_process', 'os', 'cluster', 'worker_threads',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'openapi/**', '**/*.js', '**/*.cjs', '**/*.mjs', 'src/mesos/proto/generated/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.jest } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': 'off',
    },
  },
  {
    // The pure core: no framework, ORM, I/O, or clock reads (time is a parameter).
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.spec.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: forbiddenInCore, message: 'src/core is pure: no framework, ORM or I/O imports.' }] }],
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'src/core reads no clock: take `now` as a parameter.' },
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/core reads no clock: take `now` as a parameter.' },
        { selector: "MemberExpression[object.name='process']", message: 'src/core reads no environment or process state.' },
        { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'src/core is deterministic: take randomness as a parameter.' },
      ],
    },
  },
);
