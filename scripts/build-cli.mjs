#!/usr/bin/env node
// Bundles the CLI (and the core it uses) for plain Node with esbuild; node_modules stay external. The native
// addon (prebuilds/) is copied next to the bundle, where core/kernels/native-prebuild.ts looks first.
import { build } from 'esbuild';
import { cpSync, rmSync } from 'node:fs';

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: {
    'cli/main': 'src-main/cli/main.ts',
    'worker/node-worker': 'src-main/worker/node-worker.ts',
    'worker/task-worker': 'src-main/worker/task-worker.ts',
    'worker/train-worker': 'src-main/worker/train-worker.ts',
  },
  outdir: 'dist',
});
rmSync('dist/prebuilds', { recursive: true, force: true });
cpSync('prebuilds', 'dist/prebuilds', { recursive: true });
