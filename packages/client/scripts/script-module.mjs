// After tsup: wraps dist/cometkit.min.js in a module (`@cometkit/client/script`) exporting its text,
// so the hub can serve it as `{mount}/client.js` without knowing where this package is installed.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url);
const script = readFileSync(new URL('cometkit.min.js', dist), 'utf8');
const text = JSON.stringify(script);
writeFileSync(new URL('script.js', dist), `/** The minified browser client (an IIFE defining \`cometkit\`). */\nexport const clientScript = ${text};\n`);
writeFileSync(new URL('script.cjs', dist), `'use strict';\nexports.clientScript = ${text};\n`);
const declaration = '/** The minified browser client (an IIFE defining `cometkit`). */\nexport declare const clientScript: string;\n';
// One declaration file per format: from CommonJS a `.d.ts` in this ESM package would claim ESM.
writeFileSync(new URL('script.d.ts', dist), declaration);
writeFileSync(new URL('script.d.cts', dist), declaration);
// The script itself exports nothing: loading it defines the global `cometkit`.
writeFileSync(
  new URL('cometkit.min.d.ts', dist),
  "/** The one-script-tag build: loading it defines the global `cometkit` (it exports nothing). */\nimport type * as client from './index.js';\ndeclare global {\n  var cometkit: typeof client;\n}\nexport {};\n",
);
const gz = gzipSync(script, { level: 9 }).length;
console.log(`@cometkit/client: dist/cometkit.min.js ${script.length} B minified, ${gz} B min+gz`);
