import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import ts from 'typescript';
import type { CometHub } from '@cometkit/core';
import { listen, postJson, request, type RunningServer } from '@cometkit/core/testing';

/* eslint-disable @typescript-eslint/no-require-imports */
const readme = fs.readFileSync(path.join(__dirname, '..', 'README.md'), 'utf8');

/** The first ```ts block after `heading` in the README, exactly as a reader copies it. */
function snippet(heading: string): string {
  const section = readme.slice(readme.indexOf(`\n${heading}\n`));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  if (!match) throw new Error(`no ts block under ${heading}`);
  return match[1]!;
}

interface Example {
  app: http.RequestListener;
  hub: CometHub;
  sessions: Map<string, { id: string }>;
}

/**
 * Runs a README snippet with its framework bound to one major, and returns its app, hub and
 * session map instead of listening on port 3000 (the one line changed).
 */
function runSnippet(heading: string, listenLine: RegExp, exported: string, modules: Record<string, unknown>): Example {
  const code = snippet(heading).replace(listenLine, exported);
  expect(code).toContain('module.exports');
  const js = ts.transpileModule(code, { compilerOptions: { module: ts.ModuleKind.CommonJS, esModuleInterop: true } }).outputText;
  const module = { exports: {} as Example };
  const requireFor = (name: string): unknown => modules[name] ?? require(name);
  new Function('require', 'module', 'exports', js)(requireFor, module, module.exports);
  return module.exports;
}

/** What the examples promise about who may read what, checked over HTTP. */
async function checkSafeAsWritten(server: RunningServer, example: Example): Promise<void> {
  const { cursor } = await example.hub.publish('user/alice/orders', { status: 'made' });
  const before = cursor.replace(/-\d+$/, '-0');
  const poll = (channel: string, cookie?: string) =>
    request(`${server.origin}/comet/poll?channel=${encodeURIComponent(channel)}&cursor=${before}`, cookie ? { headers: { cookie } } : {});
  // Anonymous: no wildcard, no user's channel.
  for (const channel of ['**', '*/alice/orders', 'user/alice/orders']) {
    expect([channel, (await poll(channel)).status]).toEqual([channel, 401]);
  }
  example.sessions.set('s-alice', { id: 'alice' });
  expect((await poll('user/alice/orders', 'sid=s-alice')).json().messages).toHaveLength(1);
  expect((await poll('user/bob/orders', 'sid=s-alice')).status).toBe(403);
  expect((await poll('**', 'sid=s-alice')).status).toBe(403);
  const route = await request(`${server.origin}/users/bob/orders?cursor=${before}`, { headers: { cookie: 'sid=s-alice' } });
  expect(route.status).toBe(403);
}

/** Serves the example on a real server, checks it is safe as written, and stops both. */
async function servedSafely(example: Example): Promise<void> {
  const server = await listen(http.createServer(example.app));
  try {
    await checkSafeAsWritten(server, example);
  } finally {
    await example.hub.close();
    await server.close();
  }
}

describe.each([
  ['express4', require('express4')],
  ['express5', require('express')],
])('the README Express example on %s', (_name, express) => {
  const run = (): Example => runSnippet('## Express', /app\.listen\(3000\);/, 'module.exports = { app, hub, sessions };', { express });

  it('publishes, and answers a bad channel with a JSON 400 instead of crashing or an HTML page', async () => {
    const { app, hub } = run();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): number => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    const server = await listen(http.createServer(app));
    try {
      const shipped = await postJson(`${server.origin}/users/42/ship`, {});
      expect(shipped.status).toBe(200);
      expect(shipped.json().cursor).toEqual(expect.any(String));
      const bad = await postJson(`${server.origin}/users/a*b/ship`, {});
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

  it('is safe as written: refuses an anonymous ** and serves a user her own channels only', () => servedSafely(run()));
});

describe.each([
  ['koa2', require('koa2')],
  ['koa3', require('koa')],
])('the README Koa example on %s', (_name, koa) => {
  it('is safe as written: refuses an anonymous ** and serves a user her own channels only', async () => {
    await servedSafely(runSnippet('## Koa', /\.listen\(3000\);/, ';\nmodule.exports = { app: app.callback(), hub, sessions };', { koa }));
  });
});
