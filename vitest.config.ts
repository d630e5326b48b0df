import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

// Two projects: core/unit tests in plain Node, renderer component tests in happy-dom.
// The e2e project drives Debian's chromium against the devserver (see test/e2e/README.md).
// Projects do not inherit the root's test options: each gets the timeouts itself (without them a project runs at
// vitest's 5 s default, which a loaded 2-core box exceeds; measured, session 12).
const timeouts = { testTimeout: 120_000, hookTimeout: 180_000 };

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    ...timeouts,
    projects: [
      { test: { ...timeouts, name: 'unit', include: ['test/unit/**/*.test.ts'], environment: 'node' } },
      {
        plugins: [vue()],
        test: { ...timeouts, name: 'renderer', include: ['test/renderer/**/*.test.ts'], environment: 'happy-dom' },
      },
      {
        test: {
          ...timeouts,
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          fileParallelism: false,
        },
      },
    ],
  },
});
