import http from 'node:http';
import type { Page } from 'playwright-core';
import { createComet, type CometHub } from '@cometkit/core';
import { attachWebSocket } from '@cometkit/ws';
import { useBrowserPages } from './support/browser';
import { clientStatus, messagesIn, startPageClient } from './support/page-client';
import { listen, type RunningServer } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';
import { withWebSocket } from '../packages/ws/test/support/ws-driver';

/** The browser client in headless Chromium over WebSocket, and falling back when there is none. */
const express5 = serverKinds.find((k) => k.name === 'express5')!;
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const dataOf = (messages: { data: unknown }[]): unknown[] => messages.map((m) => m.data);
const transportEvents = async (page: Page): Promise<unknown[]> =>
  (await clientStatus(page)).events.filter((e) => e.name === 'transport').map(({ from, to, reason }) => ({ from, to, reason }));

const openPage = useBrowserPages();
let hub: CometHub;
let server: RunningServer;
afterEach(async () => {
  await hub?.close();
  await server?.close();
});
/** Resolves once `test()` holds, checking every 10 ms (for state seen only from the test's side). */
async function waitUntil(test: () => boolean, timeoutMs = 5_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !test(); await new Promise((r) => setTimeout(r, 10))) {
    if (Date.now() > end) throw new Error('timed out waiting');
  }
}
async function publishAll(channel: string, values: unknown[]): Promise<void> {
  for (const value of values) {
    await hub.publish(channel, value);
    await new Promise((r) => setTimeout(r, 5));
  }
}

it('tries WebSocket first, and resumes by cursor each time the server ends the socket', async () => {
  // Which frames each socket asked for: the client reads compact ones.
  const frames: (string | null)[] = [];
  hub = createComet({
    authorize: (_action, { request, transport }) => (transport === 'ws' && frames.push(request.query.get('frames')), true),
  });
  const running = await express5.start(hub);
  // Sockets that last 300 ms: the client reconnects over and over while messages flow.
  const sockets = attachWebSocket(running.server, hub, { maxAgeMs: 300, public: true });
  server = { ...running, close: () => (sockets.close(), running.close()) };
  const page = await openPage(`${server.origin}/app/page`);
  const cursor = (await hub.publish('setup', null)).cursor;
  await hub.publish('live/a', 'from history');
  await startPageClient(page, { url: '/comet', channel: 'live/*', cursor });
  await page.waitForFunction(() => (window as unknown as { client: { state: string } }).client.state === 'connected');
  expect(hub.stats().connectionsByTransport.ws).toBe(1);
  await publishAll('live/b', range(0, 120)); // 600 ms or more: across at least one end by age
  expect(dataOf(await messagesIn(page, 121))).toEqual(['from history', ...range(0, 120)]);
  expect(await transportEvents(page)).toEqual([{ from: undefined, to: 'ws', reason: 'initial' }]);
  const { events } = await clientStatus(page);
  expect(events.filter((e) => e.name === 'gap' || e.name === 'error')).toEqual([]);
  expect(frames.length).toBeGreaterThan(1);
  expect(new Set(frames)).toEqual(new Set(['compact']));
});

it('falls back to SSE when the upgrade is refused, keeps its cursor, and skips WebSocket next time', async () => {
  hub = createComet();
  server = await express5.start(hub); // no upgrade handler: /comet/ws is a plain 404
  const page = await openPage(`${server.origin}/app/page`);
  const cursor = (await hub.publish('setup', null)).cursor;
  await hub.publish('fb', 'before');
  await startPageClient(page, { url: '/comet', channel: 'fb', cursor });
  expect(dataOf(await messagesIn(page, 1))).toEqual(['before']);
  await publishAll('fb', [1, 2]);
  expect(dataOf(await messagesIn(page, 3))).toEqual(['before', 1, 2]);
  expect(await transportEvents(page)).toEqual([
    { from: undefined, to: 'ws', reason: 'initial' },
    { from: 'ws', to: 'sse', reason: 'failed' },
  ]);
  // The next page in this tab's session starts with what worked.
  await page.reload();
  await startPageClient(page, { url: '/comet', channel: 'fb', cursor });
  expect(dataOf(await messagesIn(page, 3))).toEqual(['before', 1, 2]);
  expect(await transportEvents(page)).toEqual([{ from: undefined, to: 'sse', reason: 'initial' }]);
});

it('falls back through a proxy that drops Upgrade, though the server behind it has the handler', async () => {
  hub = createComet();
  const backend = await withWebSocket(express5).start(hub);
  // An HTTP/1.1 proxy that forwards requests without their hop-by-hop Upgrade and Connection headers.
  const proxy = await listen(
    http.createServer((req, res) => {
      const { upgrade: _upgrade, connection: _connection, ...headers } = req.headers;
      const upstream = http.request(`${backend.origin}${req.url}`, { method: req.method, headers, agent: false }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      res.on('close', () => upstream.destroy());
      req.pipe(upstream);
    }),
  );
  server = { ...proxy, close: () => Promise.all([proxy.close(), backend.close()]).then(() => undefined) };
  const page = await openPage(`${proxy.origin}/app/page`);
  const cursor = (await hub.publish('setup', null)).cursor;
  await startPageClient(page, { url: '/comet', channel: 'px', cursor });
  await publishAll('px', ['through the proxy']);
  expect(dataOf(await messagesIn(page, 1))).toEqual(['through the proxy']);
  expect(await transportEvents(page)).toEqual([
    { from: undefined, to: 'ws', reason: 'initial' },
    { from: 'ws', to: 'sse', reason: 'failed' },
  ]);
  expect(hub.stats().connectionsByTransport).toMatchObject({ sse: 1 });
  expect(hub.stats().connectionsByTransport.ws ?? 0).toBe(0);
});

it('over WebSocket on Koa 3 and withComet too', async () => {
  for (const kind of serverKinds.filter((k) => k.name === 'koa3' || k.name === 'withComet').map(withWebSocket)) {
    hub = createComet();
    server = await kind.start(hub, { quiet: true });
    const page = await openPage(`${server.origin}/app/page`);
    const cursor = (await hub.publish('setup', null)).cursor;
    await startPageClient(page, { url: '/comet', channel: 'k', cursor });
    await publishAll('k', [kind.name]);
    expect(dataOf(await messagesIn(page, 1))).toEqual([kind.name]);
    expect((await clientStatus(page)).transport).toBe('ws');
    expect(hub.stats().connectionsByTransport.ws).toBe(1);
    await page.close();
    await hub.close();
    await server.close();
  }
});

it('changes subscriptions on the open socket: no new socket, nothing lost on the channel kept', async () => {
  hub = createComet();
  server = await withWebSocket(express5).start(hub);
  let upgrades = 0;
  server.server.on('upgrade', () => upgrades++);
  const page = await openPage(`${server.origin}/app/page`);
  // The server's answers to the page's subscribe and unsubscribe frames, as Chromium sees them.
  const answers: string[] = [];
  const answered = (type: string, count: number): Promise<void> =>
    waitUntil(() => answers.filter((a) => a.startsWith(`{"type":"${type}"`)).length >= count);
  page.on('websocket', (socket) => socket.on('framereceived', ({ payload }) => void answers.push(String(payload))));
  const cursor = (await hub.publish('setup', null)).cursor;
  await startPageClient(page, { url: '/comet', channel: 'keep', cursor });
  await page.waitForFunction(() => (window as unknown as { client: { state: string } }).client.state === 'connected');
  type Globals = { client: { subscribe(c: string, h: (d: unknown) => void): () => void }; off(): void; added: unknown[] };
  for (let round = 1; round <= 3; round++) {
    await page.evaluate(() => {
      const w = window as unknown as Globals;
      w.added ??= [];
      w.off = w.client.subscribe('add', (d) => w.added.push(d));
    });
    await hub.publish('keep', `k${round}a`);
    await answered('subscribed', round);
    await hub.publish('add', `a${round}`);
    await hub.publish('keep', `k${round}b`);
    // Unsubscribe only once the page has it: the frame and this call travel by different roads.
    await page.waitForFunction((n) => (window as unknown as Globals).added.length >= n, round);
    await page.evaluate(() => (window as unknown as Globals).off());
    await answered('unsubscribed', round);
    await hub.publish('add', `not for the page ${round}`);
    // Once this one arrived the socket is past the message above, so the next subscribe starts after it.
    await hub.publish('keep', `k${round}c`);
    await messagesIn(page, 3 * round);
  }
  expect(dataOf(await messagesIn(page, 9))).toEqual(['k1a', 'k1b', 'k1c', 'k2a', 'k2b', 'k2c', 'k3a', 'k3b', 'k3c']);
  expect(await page.evaluate(() => (window as unknown as Globals).added)).toEqual(['a1', 'a2', 'a3']);
  expect(upgrades).toBe(1);
  expect(hub.stats().connectionsByTransport.ws).toBe(1);
  expect((await clientStatus(page)).events.filter((e) => e.name !== 'transport')).toEqual([{ name: 'connected', transport: 'ws' }]);
});
