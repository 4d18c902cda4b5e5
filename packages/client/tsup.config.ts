import { defineConfig } from 'tsup';

export default defineConfig([
  // The ES module and CommonJS builds, for bundlers and for Node.
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2020',
  },
  // The one-script-tag build: `window.cometkit.createClient(…)`, served by the hub as `{mount}/client.js`.
  {
    entry: { cometkit: 'src/index.ts' },
    format: ['iife'],
    globalName: 'cometkit',
    minify: true,
    target: 'es2017',
    outExtension: () => ({ js: '.min.js' }),
  },
]);
