import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Two projects: core/unit tests in plain Node, renderer component tests in happy-dom.
// The e2e project drives Debian's chromium against the devserver (see test/e2e/README.md).
export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      { plugins: [vue()], test: { name: 'renderer', include: ['test/renderer/**/*.test.ts'], environment: 'happy-dom' } },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], environment: 'node', fileParallelism: false } },
    ],
  },
});
