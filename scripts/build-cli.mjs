#!/usr/bin/env node
// Bundles the CLI (and the core it uses) for plain Node with esbuild; node_modules stay external.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', sourcemap: true, logLevel: 'warning' };
await build({ ...common, entryPoints: { 'cli/main': 'src-main/cli/main.ts', 'worker/node-worker': 'src-main/worker/node-worker.ts', 'worker/task-worker': 'src-main/worker/task-worker.ts', 'worker/train-worker': 'src-main/worker/train-worker.ts' }, outdir: 'dist' });
