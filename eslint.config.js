// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'build-check/', 'coverage/', 'data/', 'node_modules/', 'bench/*.js', 'demo-output/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use an `as const` object and a derived union (STYLE.md 11).' },
        { selector: 'TSModuleDeclaration[kind="namespace"]', message: 'No namespaces (STYLE.md 11).' },
        { selector: 'ExportDefaultDeclaration', message: 'Named exports only (STYLE.md 11).' },
      ],
    },
  },
  {
    // Config files and the CI reporter: the tools load them by their default export.
    files: ['eslint.config.js', 'vitest.config.ts', 'test/support/ci-watchdog.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
);
