// ESLint flat config. The import boundary of src-main/core and src-main/worker is enforced here:
// the engine and I/O must run in plain Node, so they may not reach Electron, Vue or the renderer.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import pluginVue from 'eslint-plugin-vue';
import globals from 'globals';

const coreBoundary = {
  patterns: [
    { group: ['electron', 'electron/*'], message: 'src-main/core and src-main/worker run in plain Node: no Electron.' },
    { group: ['vue', 'vue/*', 'pinia', 'vue-router', 'three', 'three/*'], message: 'No UI libraries in core/worker.' },
    { group: ['**/src-renderer/**', '../../src-renderer/*', '**/electron/*', '**/preload/*', '**/devserver/*'], message: 'Core and worker never import the renderer or the app shell.' },
  ],
};

export default tseslint.config(
  { ignores: ['node_modules/**', 'out/**', 'dist/**', 'release/**', 'test-output/**', 'demo-output/**', 'test/fixtures/**', '**/*.py'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.vue'], sourceType: 'module' } },
  },
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2022, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'vue/multi-word-component-names': 'off',
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
    },
  },
  { files: ['src-renderer/**'], languageOptions: { globals: { ...globals.browser } } },
  { files: ['src-main/core/**', 'src-main/worker/**'], rules: { 'no-restricted-imports': ['error', coreBoundary] } },
  { files: ['src-renderer/**'], rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['**/src-main/core/**', '**/core/*', 'electron', '@tensorflow/*', 'node:*', 'fs', 'path'], message: 'The renderer talks to the main side only through src-main/contract.' }] }] } },
);
