import { defineConfig, type Options } from 'tsup';
import base from '../../tsup.base';

// @cometkit/protocol (the wire types and grammars) is bundled in, code and types: the client
// ships as one self-contained package.
const bundled = { noExternal: ['@cometkit/protocol'] } satisfies Options;

export default defineConfig([
  // The shared ESM + CJS + types build, for browsers' bundlers as well as Node: ES2020, not Node 20.
  { ...(base as Options), ...bundled, target: 'es2020', dts: { resolve: ['@cometkit/protocol'] } },
  // The one-script-tag build: `window.cometkit.createClient(…)`, served by the hub as `{mount}/client.js`.
  {
    ...bundled,
    entry: { cometkit: 'src/index.ts' },
    format: ['iife'],
    globalName: 'cometkit',
    minify: true,
    target: 'es2017',
    outExtension: () => ({ js: '.min.js' }),
  },
]);
