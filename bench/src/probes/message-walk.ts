/**
 * Which source files one message passes through, from `hub.publish` to the bytes on a socket, for
 * a held long-poll behind Express, SSE behind `withComet`, a WebSocket and a held Bayeux
 * `/meta/connect` behind Express. V8's precise coverage (call counts) is taken with the client
 * already held, then again once it has received the message: a file is on the walk when any of
 * its functions ran in between; the functions that ran and their calls are counted too. Run from the repository root against the sources (the root
 * tsconfig maps `@cometkit/*` to `packages/*\/src`), so an earlier checkout can be walked the same
 * way for a before and after:
 *
 *   npx tsx --tsconfig tsconfig.json bench/src/probes/message-walk.ts
 */
import http from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { createBayeux } from '@cometkit/bayeux';
import { createComet, withComet, type CometHub } from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { attachWebSocket } from '@cometkit/ws';
import express from 'express';
import { WebSocket } from 'ws';

const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.startPreciseCoverage', { callCount: true, detailed: false });

/** Calls per function, by file under packages/*\/src. */
async function snapshot(): Promise<Map<string, number>> {
  const { result } = await session.post('Profiler.takePreciseCoverage');
  const counts = new Map<string, number>();
  for (const script of result) {
    const match = /packages\/[a-z]+\/src\/.+$/.exec(script.url.replace(/\\/g, '/'));
    if (!match) continue;
    for (const fn of script.functions) {
      const key = `${match[0]}#${fn.functionName}@${fn.ranges[0]?.startOffset}`;
      counts.set(key, (counts.get(key) ?? 0) + (fn.ranges[0]?.count ?? 0));
    }
  }
  return counts;
}

/** The files whose functions ran while `deliver` took one message to its client. */
async function walk(name: string, hub: CometHub, held: () => Promise<() => Promise<void>>): Promise<void> {
  const received = await held();
  await new Promise((resolve) => setTimeout(resolve, 50)); // let the hold settle: nothing runs now but timers
  await snapshot(); // the profiler's counts restart at every snapshot
  await hub.publish('walk/a', { n: 1 });
  await received();
  const after = await snapshot();
  const files = new Set<string>();
  let functions = 0;
  let calls = 0;
  for (const [key, count] of after) {
    if (count === 0) continue;
    files.add(key.split('#')[0]!);
    functions++;
    calls += count;
  }
  console.log(`\n${name}: ${files.size} files, ${functions} functions, ${calls} calls`);
  for (const file of [...files].sort()) console.log(`  ${file}`);
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; port: number }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

/** A GET whose body is read as it comes: `until(text)` resolves once the body holds `text`, `ended` once it ends. */
function get(url: string): { until(text: string): Promise<void>; ended: Promise<void> } {
  let body = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  const ended = new Promise<void>((resolve, reject) => {
    http.get(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        body += chunk;
        for (const waiter of waiters.splice(0)) if (body.includes(waiter.text)) waiter.resolve(); else waiters.push(waiter);
      });
      res.on('end', resolve);
    }).on('error', reject);
  });
  return {
    ended,
    until: (text) => (body.includes(text) ? Promise.resolve() : new Promise((resolve) => waiters.push({ text, resolve }))),
  };
}

const untilHeld = async (hub: CometHub): Promise<void> => {
  while (hub.stats().connections === 0) await new Promise((resolve) => setTimeout(resolve, 5));
};

// Long-poll behind Express.
{
  const hub = createComet();
  const app = express();
  app.use('/comet', cometExpress(hub));
  const { server, port } = await listen(app);
  await walk('long-poll, Express', hub, async () => {
    const poll = get(`http://127.0.0.1:${port}/comet/poll?channel=walk/a`);
    await untilHeld(hub);
    return () => poll.ended;
  });
  await hub.close();
  server.close();
}

// SSE behind withComet.
{
  const hub = createComet();
  const { server, port } = await listen(withComet(hub, '/comet', express()));
  await walk('SSE, withComet', hub, async () => {
    const stream = get(`http://127.0.0.1:${port}/comet/sse?channel=walk/a`);
    await stream.until('event: ready');
    return () => stream.until('"n":1');
  });
  await hub.close();
  server.close();
}

// WebSocket.
{
  const hub = createComet();
  const { server, port } = await listen(express());
  const sockets = attachWebSocket(server, hub, { public: true });
  await walk('WebSocket', hub, async () => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/comet/ws?channel=walk/a`);
    await new Promise<void>((resolve) => socket.on('message', (data) => String(data).includes('"open"') && resolve()));
    return () => new Promise<void>((resolve) => socket.on('message', (data) => String(data).includes('"walk/a"') && (socket.close(), resolve())));
  });
  await hub.close();
  sockets.close();
  server.close();
}

// A held Bayeux /meta/connect behind Express.
{
  const hub = createComet();
  const app = express();
  app.use('/bayeux', cometExpress(createBayeux(hub)));
  const { server, port } = await listen(app);
  const post = async (message: object): Promise<Record<string, unknown>[]> => {
    const res = await fetch(`http://127.0.0.1:${port}/bayeux`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([message]) });
    return (await res.json()) as Record<string, unknown>[];
  };
  await walk('Bayeux /meta/connect, Express', hub, async () => {
    const [shake] = await post({ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] });
    const clientId = shake!.clientId as string;
    await post({ channel: '/meta/subscribe', clientId, subscription: '/walk/a' });
    await post({ channel: '/meta/connect', clientId, connectionType: 'long-polling', advice: { timeout: 0 } });
    const held = post({ channel: '/meta/connect', clientId, connectionType: 'long-polling' });
    await untilHeld(hub);
    return async () => void (await held);
  });
  await hub.close();
  server.close();
}

session.disconnect();
console.log(`\n(files under packages/*/src; run from ${path.basename(process.cwd())})`);
process.exit(0);
