// After tsup: wraps dist/cometkit.min.js in a module (`@cometkit/client/script`) exporting its text,
// so the hub can serve it as `{mount}/client.js` without knowing where this package is installed.
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const dist = new URL('../dist/', import.meta.url);
const script = readFileSync(new URL('cometkit.min.js', dist), 'utf8');
const text = JSON.stringify(script);
writeFileSync(new URL('script.js', dist), `/** The minified browser client (an IIFE defining \`cometkit\`). */\nexport const clientScript = ${text};\n`);
writeFileSync(new URL('script.cjs', dist), `'use strict';\nexports.clientScript = ${text};\n`);
writeFileSync(new URL('script.d.ts', dist), '/** The minified browser client (an IIFE defining `cometkit`). */\nexport declare const clientScript: string;\n');
const gz = gzipSync(script, { level: 9 }).length;
console.log(`@cometkit/client: dist/cometkit.min.js ${script.length} B minified, ${gz} B min+gz`);
