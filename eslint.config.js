// ESLint flat config. The import boundary of src-main/core and src-main/worker is enforced here:
// the engine and I/O must run in plain Node, so they may not reach Electron, Vue or the renderer.
// Inside core the layers are checked too (one block per layer, in the manner of VS Code's code-layering
// rule), bottom to top: tfjs-free kernels (thread pool, native and WebAssembly runtimes) and the other
// tfjs-free areas (fft, io, psf, deconv, metrics, image, normalise, run) < nn (tfjs ops, models, weights,
// backend and kernel selection) < train < infer. import-x/no-cycle fails the lint on any file-level cycle.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';
import { importX, createNodeResolver } from 'eslint-plugin-import-x';

const coreBoundary = {
  patterns: [
    { group: ['electron', 'electron/*'], message: 'src-main/core and src-main/worker run in plain Node: no Electron.' },
    { group: ['vue', 'vue/*', 'pinia', 'vue-router', 'three', 'three/*'], message: 'No UI libraries in core/worker.' },
    {
      group: ['**/src-renderer/**', '../../src-renderer/*', '**/electron/*', '**/preload/*', '**/devserver/*'],
      message: 'Core and worker never import the renderer or the app shell.',
    },
  ],
};

const above = (...names) => names.flatMap((n) => [`**/${n}`, `**/${n}/**`]);
const coreOnly = {
  group: above('services', 'worker', 'cli'),
  message: 'src-main/core is below services, worker and the CLI.',
};
/** no-restricted-imports for one layer: the core boundary plus what lies above the layer. */
const layer = (message, ...groups) => [
  'error',
  { patterns: [...coreBoundary.patterns, coreOnly, { group: groups, message }] },
];
const tfjs = ['@tensorflow/*'];
const coreLayers = [
  {
    files: ['src-main/core/kernels/**'],
    rules: {
      'no-restricted-imports': layer(
        'core/kernels is the bottom layer: no tfjs, no fft, nn, train or infer.',
        ...tfjs,
        ...above('fft', 'nn', 'train', 'infer'),
      ),
    },
  },
  {
    files: ['src-main/core/{fft,io,psf,deconv,metrics,image,normalise,run}/**'],
    rules: {
      'no-restricted-imports': layer(
        'This part of core is tfjs-free and below nn, train and infer.',
        ...tfjs,
        ...above('nn', 'train', 'infer'),
      ),
    },
  },
  {
    files: ['src-main/core/nn/**'],
    rules: {
      'no-restricted-imports': layer(
        'core/nn (tfjs building blocks) is below train and infer.',
        ...above('train', 'infer'),
      ),
    },
  },
  {
    files: ['src-main/core/train/**'],
    rules: {
      'no-restricted-imports': layer('core/train is below infer: share through run/ or normalise/.', ...above('infer')),
    },
  },
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'out/**',
      'dist/**',
      'release/**',
      'test-output/**',
      'demo-output/**',
      'test/fixtures/**',
      '**/*.py',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: {
      parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' },
    },
  },
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  { files: ['src-renderer/**'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['src-main/core/**', 'src-main/worker/**'], rules: { 'no-restricted-imports': ['error', coreBoundary] } },
  {
    files: ['src-main/core/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [...coreBoundary.patterns, coreOnly] }] },
  },
  ...coreLayers,
  // The contract is imported by the renderer (and holds the training config schema): zod and itself only.
  {
    files: ['src-main/contract/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: [
                '**/core',
                '**/core/**',
                '**/services/**',
                '**/worker/**',
                '**/cli/**',
                '**/electron/**',
                '**/devserver/**',
                'electron',
                '@tensorflow/*',
                'node:*',
              ],
              message: 'src-main/contract is imported by the renderer: zod and the contract only.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src-main/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/extensions': ['.ts', '.js'],
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] },
  },
  {
    files: ['src-renderer/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/src-main/core/**', '**/core/*', 'electron', '@tensorflow/*', 'node:*', 'fs', 'path'],
              message: 'The renderer talks to the main side only through src-main/contract.',
            },
          ],
        },
      ],
    },
  },
);
