import { defineConfig, type Options } from 'tsup';
import base from '../../tsup.base';

export default defineConfig([
  // The shared ESM + CJS + types build, for browsers' bundlers as well as Node: ES2020, not Node 20.
  { ...(base as Options), target: 'es2020' },
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
