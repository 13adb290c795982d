// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const MODEL_FOLDERS = ['config', 'stack', 'builder', 'reference', 'release'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', '.nx/**', '.cache/**', 'coverage/**', 'packages/*/src/generators/*/files/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { prefer: 'type-imports', fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-template-curly-in-string': 'off',
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        require: 'readonly',
        module: 'writable',
        process: 'readonly',
        console: 'readonly',
        __dirname: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
      },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  // The direction of dependencies (STYLE.md): models depend on nothing of the plugin and do no I/O;
  // plugin/ and executors/ depend on models and never on each other; no executor imports another.
  {
    files: MODEL_FOLDERS.map((folder) => `packages/nx-cnb/src/${folder}/**/*.ts`),
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: ['node:fs', 'node:child_process', 'dockerode', 'execa', '@nx/devkit'].map((name) => ({
            name,
            message: 'Models do no I/O: keep engine, CLI, file and Nx calls at the edges.',
          })),
          patterns: [
            {
              regex: '/(plugin|executors|generators|engine|pack|workspace|receipt)/',
              message: 'Models depend on nothing of the plugin: move the shared logic into a model.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/nx-cnb/src/plugin/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              // Only the options contract of a target (its schema.d.ts) may be named here, and only as a type.
              regex: '/executors/(?!.*/schema$)',
              message: 'Inference never depends on executors: move what both need into a model.',
            },
            { regex: '/executors/.*/schema$', message: 'Import executor schemas as types only.', allowTypeImports: true },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/nx-cnb/src/executors/*/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^\\.\\./[^./][^/]*/', message: 'No executor imports another executor: share through a model or an edge module.' },
            { regex: '/plugin/', message: 'Executors never depend on inference: move what both need into a model.' },
          ],
        },
      ],
    },
  },
);
