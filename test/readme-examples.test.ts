import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import ts from 'typescript';
import type { CometHub } from '@cometkit/core';
import { listen, postJson, request } from '@cometkit/core/testing';

/* eslint-disable @typescript-eslint/no-require-imports */
const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** The first ```ts block after `heading` in the README, exactly as a reader copies it. */
function snippet(heading: string): string {
  const section = readme.slice(readme.indexOf(`\n${heading}\n`));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`no ts block under ${heading}`);
  return match[1]!;
}

/**
 * Runs a README snippet with `express` bound to one major, and returns its app and hub instead of
 * listening on port 3000 (the one line changed).
 */
function runExpressSnippet(express: unknown): { app: http.RequestListener; hub: CometHub } {
  const code = snippet('## Express').replace(/app\.listen\(3000\);/, 'module.exports = { app, hub };');
  expect(code).toContain('module.exports');
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, esModuleInterop: true } }).outputText;
  const module = { exports: {} as { app: http.RequestListener; hub: CometHub } };
  const requireFor = (name: string): unknown => (name === 'express' ? express : require(name));
  new Function('require', 'module', 'exports', js)(requireFor, module, module.exports);
  return module.exports;
}

describe.each([
  ['express4', require('express4')],
  ['express5', require('express')],
])('the README Express example on %s', (_name, express) => {
  it('publishes, and answers a bad channel with a JSON 400 instead of crashing or an HTML page', async () => {
    const { app, hub } = runExpressSnippet(express);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): number => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const server = await listen(http.createServer(app));
    try {
      const shipped = await postJson(`${server.origin}/orders/42/ship`, {});
      expect(shipped.status).toBe(200);
      expect(shipped.json().cursor).toEqual(expect.any(String));
      const bad = await postJson(`${server.origin}/orders/a*b/ship`, {});
      expect(bad.status).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/json/);
      expect(bad.json().error.code).toBe('bad_channel');
      expect(hub.stats().published).toBe(1);
      expect((await request(`${server.origin}/comet/nope`)).json().error.code).toBe('not_found');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      await hub.close();
      await server.close();
    }
  });
});
