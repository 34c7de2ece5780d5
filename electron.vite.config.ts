import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import react from '@vitejs/plugin-react';

// Three bundles: the main process (ESM, dependencies external; with the core's utility
// process, core-host, the headless server and the gateway service as entries of their
// own), the preload (one self-contained CommonJS file, since sandboxed preloads cannot load
// ESM or node modules) and the renderer (a plain web page, also served by `npm run serve`).
export default defineConfig({
  main: {
    build: {
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          'core-host': resolve(__dirname, 'src/main/core-host.ts'),
          server: resolve(__dirname, 'src/server/cli.ts'),
          gateway: resolve(__dirname, 'src/gateway-service/cli.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: {
      minify: true,
      rollupOptions: { input: { index: resolve(__dirname, 'src/renderer/index.html') } },
    },
    plugins: [react()],
  },
});
