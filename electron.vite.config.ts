import { resolve } from 'node:path';
import { defineConfig, externalizeDepsPlugin } from 'electron-vite';
import vue from '@vitejs/plugin-vue';

// main and preload are built for Electron; the preload is CommonJS because sandboxed preloads
// cannot be ES modules. The renderer is a plain Vite + Vue build also served by the devserver.
export default defineConfig({
  main: {
    plugins: [externalizeDepsPlugin()],
    build: {
      outDir: 'out/main',
      rollupOptions: {
        input: {
          index: resolve('src-main/electron/main.ts'),
          'job-process': resolve('src-main/worker/utility-process.ts'),
        },
        // Optional native/GPU backends: loaded at run time when installed (see core/engine/backend.ts), never bundled.
        external: ['@tensorflow/tfjs-node', '@tensorflow/tfjs-node-gpu', 'webgpu'],
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can only require('electron'): bundle zod (the contract table) into it.
      externalizeDeps: { exclude: ['zod'] },
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src-main/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src-renderer',
    plugins: [vue()],
    build: { outDir: resolve('out/renderer'), rollupOptions: { input: resolve('src-renderer/index.html') } },
  },
});
