import http from 'node:http';
import type { Page } from 'playwright-core';
import { createComet, handleNode, type CometHub } from '@cometkit/core';
import { launchBrowser, type TestBrowser } from './support/browser';
import { clientPage, listen, type RunningServer, until } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';
import { clientStatus, eventIn, messagesIn, publishFromPage, startPageClient, toggleSubscription } from './support/page-client';

/**
 * The browser client in real headless Chromium, loaded with one `<script>` tag from the hub's own
 * `/comet/client.js`, against real Express 5 and Koa 3 servers: each transport forced in turn.
 */
const kinds = serverKinds.filter((k) => k.name === 'express5' || k.name === 'koa3');
const transports = ['sse', 'stream', 'iframe', 'poll', 'jsonp'];
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const dataOf = (messages: { data: unknown }[]): unknown[] => messages.map((m) => m.data);
const quietApp = { quiet: true };

let browser: TestBrowser;
const pages: Page[] = [];
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});
afterEach(async () => {
  await Promise.all(pages.splice(0).map((p) => p.close()));
});
async function openPage(url: string): Promise<Page> {
  const page = await browser.context.newPage();
  pages.push(page);
  await page.goto(url);
  return page;
}

/** Publishes `values` to `channel`, letting the event loop turn now and then so they arrive in several batches. */
async function publishAll(hub: CometHub, channel: string, values: unknown[], every = 10): Promise<void> {
  for (const [i, value] of values.entries()) {
    await hub.publish(channel, value);
    if (i % every === every - 1) await new Promise((r) => setTimeout(r, 2));
  }
}

describe.each(kinds)('the browser client on $name', (kind) => {
  let hub: CometHub;
  let server: RunningServer;
  let smallHub: CometHub;
  let small: RunningServer;
  let otherOrigin: RunningServer;
  let corsHub: CometHub;
  let corsServer: RunningServer;
  let corsPage: RunningServer;
  let credHub: CometHub;
  let credServer: RunningServer;

  beforeAll(async () => {
    // Heartbeats every 250 ms, so a client taking 1 s of silence for a dead stream finds out fast.
    hub = createComet({ jsonp: true, longPollTimeoutMs: 3_000, heartbeatMs: 250 });
    server = await kind.start(hub, quietApp);
    smallHub = createComet({ jsonp: true, history: { maxCount: 5 }, longPollTimeoutMs: 3_000 });
    small = await kind.start(smallHub, quietApp);
    // A page on another origin (another port) that loads the script from the hub's server.
    otherOrigin = await listen(http.createServer((_req, res) => res.end(clientPage(`${server.mount}/client.js`))));
    // A hub that lists one other origin for CORS, and a page on that origin.
    corsHub = createComet({ jsonp: true, longPollTimeoutMs: 3_000, httpPublish: true, cors: { origins: (origin) => origin === corsPage?.origin } });
    corsServer = await kind.start(corsHub, quietApp);
    corsPage = await listen(http.createServer((_req, res) => res.end(clientPage(`${corsServer.mount}/client.js`))));
    // The same page's origin, allowed with credentials, by a hub that lets in only its session cookie.
    credHub = createComet({
      jsonp: true,
      longPollTimeoutMs: 3_000,
      httpPublish: true,
      cors: { origins: (origin) => origin === corsPage?.origin, credentials: true },
      authorize: (_action, { request }) => /(^|; )session=s3cret($|;)/.test(request.header('cookie') ?? ''),
    });
    credServer = await kind.start(credHub, quietApp);
  });
  afterAll(async () => {
    await Promise.all([hub?.close(), smallHub?.close(), corsHub?.close(), credHub?.close()]);
    await Promise.all([server?.close(), small?.close(), otherOrigin?.close(), corsServer?.close(), corsPage?.close(), credServer?.close()]);
  });
  const head = async (target: CometHub = hub): Promise<string> => (await target.publish('setup', null)).cursor;

  describe.each(transports)('forced to %s', (transport) => {
    it('receives 100 published messages in order', async () => {
      const page = await openPage(`${server.origin}/app/page`);
      const channel = `ordered/${transport}`;
      await startPageClient(page, { url: '/comet', transports: [transport], cursor: await head(), channel });
      await publishAll(hub, channel, range(0, 100));
      expect(dataOf(await messagesIn(page, 100))).toEqual(range(0, 100));
      const status = await clientStatus(page);
      expect(status.transport).toBe(transport);
      expect(status.state).toBe('connected');
      expect(status.events.filter((e) => e.name === 'connected')).toEqual([{ name: 'connected', transport }]);
    });

    it('ends with every message exactly once when the server drops every open connection mid-stream', async () => {
      const page = await openPage(`${server.origin}/app/page`);
      const channel = `dropped/${transport}`;
      await startPageClient(page, { url: '/comet', transports: [transport], cursor: await head(), channel, idleTimeoutMs: 1_000 });
      // Each cut comes once the page has some of a burst (so it is connected, and more is on the way).
      for (const [from, to, seen] of [
        [0, 40, 20],
        [40, 70, 50],
      ] as const) {
        await publishAll(hub, channel, range(from, to));
        await messagesIn(page, seen);
        server.server.closeAllConnections();
      }
      // The last message after the cuts: anything repeated by a resume would come before it.
      await publishAll(hub, channel, range(70, 101));
      const got = await messagesIn(page, 101);
      expect(dataOf(got)).toEqual(range(0, 101));
      const { events } = await clientStatus(page);
      expect(events.filter((e) => e.name === 'gap')).toEqual([]);
      // A stream sees each cut. A held poll on a reused connection may not: Chromium sends the
      // GET again by itself, and the server answers it from the same cursor.
      if (!['poll', 'jsonp'].includes(transport)) expect(events.filter((e) => e.name === 'disconnected')).toHaveLength(2);
    });

    it('loses nothing on the channel kept while other subscriptions come and go', async () => {
      const page = await openPage(`${server.origin}/app/page`);
      const channel = `kept/${transport}`;
      await startPageClient(page, { url: '/comet', transports: [transport], cursor: await head(), channel });
      for (const [i, extra] of ['added/a', 'added/b', 'added/a', 'added/*', 'added/b', 'added/*'].entries()) {
        await publishAll(hub, channel, range(i * 10, i * 10 + 10));
        await toggleSubscription(page, extra);
      }
      // The last message comes after every toggle: anything repeated would come before it.
      await publishAll(hub, channel, range(60, 71));
      expect(dataOf(await messagesIn(page, 71))).toEqual(range(0, 71));
    });

    it('calls a pattern subscription for matching channels only', async () => {
      const page = await openPage(`${server.origin}/app/page`);
      await startPageClient(page, { url: '/comet', transports: [transport], cursor: await head(), channel: `pat/${transport}/*` });
      for (const sub of ['a', 'b/c', '', 'd']) await hub.publish(`pat/${transport}${sub ? '/' + sub : ''}`, sub);
      await hub.publish(`other/${transport}/a`, 'not mine');
      await hub.publish(`pat/${transport}/end`, 'end');
      const got = await messagesIn(page, 3);
      expect(got).toEqual([
        { channel: `pat/${transport}/a`, data: 'a' },
        { channel: `pat/${transport}/d`, data: 'd' },
        { channel: `pat/${transport}/end`, data: 'end' },
      ]);
    });

    it('fires the gap event when the cursor is older than history, then delivers what is kept', async () => {
      const page = await openPage(`${small.origin}/app/page`);
      const channel = `gap/${transport}`;
      const first = (await smallHub.publish(channel, 0)).cursor;
      await publishAll(smallHub, channel, range(1, 10));
      await startPageClient(page, { url: '/comet', transports: [transport], cursor: first, channel });
      const gap = await eventIn(page, 'gap');
      expect(gap).toMatchObject({ name: 'gap', reason: 'expired', from: first });
      expect(dataOf(await messagesIn(page, 5))).toEqual(range(5, 10));
      await smallHub.publish(channel, 10);
      expect(dataOf(await messagesIn(page, 6))).toEqual(range(5, 11));
    });
  });

  it('a page on a second origin, with no CORS configured, receives over JSONP', async () => {
    const page = await openPage(otherOrigin.origin);
    const channel = 'cross/origin';
    await startPageClient(page, { url: server.mount, cursor: await head(), channel });
    await publishAll(hub, channel, range(0, 20));
    expect(dataOf(await messagesIn(page, 20))).toEqual(range(0, 20));
    const { transport, events } = await clientStatus(page);
    expect(transport).toBe('jsonp');
    // This server has no WebSocket handler: the default order's first try fails.
    expect(events.filter((e) => e.name === 'transport')).toEqual([
      { name: 'transport', from: undefined, to: 'ws', reason: 'initial' },
      { name: 'transport', from: 'ws', to: 'sse', reason: 'failed' },
      { name: 'transport', from: 'sse', to: 'jsonp', reason: 'failed' },
    ]);
  });

  describe.each(['sse', 'stream', 'poll'])('with credentials, forced to %s', (transport) => {
    afterEach(() => browser.context.clearCookies());

    it("sends the server origin's cookie across origins, subscribing and publishing", async () => {
      await browser.context.addCookies([{ name: 'session', value: 's3cret', url: credServer.origin }]);
      const page = await openPage(corsPage.origin);
      const channel = `cred/${transport}`;
      const cursor = (await credHub.publish('setup', null)).cursor;
      await startPageClient(page, { url: credServer.mount, transports: [transport], cursor, channel, credentials: true });
      await eventIn(page, 'connected');
      await publishFromPage(page, channel, 'with the cookie');
      expect(await messagesIn(page, 1)).toEqual([{ channel, data: 'with the cookie' }]);
      expect((await clientStatus(page)).events.filter((e) => e.name === 'error')).toEqual([]);
    });
  });

  it('sends no cookie across origins without credentials: the server refuses', async () => {
    await browser.context.addCookies([{ name: 'session', value: 's3cret', url: credServer.origin }]);
    try {
      const page = await openPage(corsPage.origin);
      await startPageClient(page, { url: credServer.mount, transports: ['poll'], channel: 'cred/none' });
      expect(await eventIn(page, 'error')).toMatchObject({ code: 'forbidden', status: 403 });
    } finally {
      await browser.context.clearCookies();
    }
  });

  it('a page on a second origin that CORS allows keeps SSE, and may publish', async () => {
    const page = await openPage(corsPage.origin);
    await startPageClient(page, { url: corsServer.mount, cursor: (await corsHub.publish('setup', null)).cursor, channel: 'cors/room' });
    const cursor = await publishFromPage(page, 'cors/room', 'from the page');
    expect(cursor).toMatch(/^[a-z0-9]+-\d+$/);
    expect(await messagesIn(page, 1)).toEqual([{ channel: 'cors/room', data: 'from the page' }]);
    const { transport, events } = await clientStatus(page);
    expect(transport).toBe('sse');
    // This server has no WebSocket handler: the default order's first try fails, SSE stays.
    expect(events.filter((e) => e.name === 'transport').map((e) => e.to)).toEqual(['ws', 'sse']);
  });
});

describe('the browser client behind a proxy that buffers streams', () => {
  let hub: CometHub;
  let server: RunningServer;
  beforeAll(async () => {
    hub = createComet({ jsonp: true, longPollTimeoutMs: 3_000 });
    // Streams get their headers and then nothing, as behind a buffering proxy or antivirus;
    // everything else (the page, client.js, polls) is served as usual.
    server = await listen(
      http.createServer((req, res) => {
        if (req.url === '/') return void res.end(clientPage());
        const url = req.url!.slice('/comet'.length);
        if (/^\/(sse|stream|iframe)\?/.test(url)) {
          const type = url.startsWith('/sse') ? 'text/event-stream' : url.startsWith('/iframe') ? 'text/html' : 'application/x-ndjson';
          res.writeHead(200, { 'content-type': type, 'cache-control': 'no-cache' });
          res.flushHeaders();
          return;
        }
        void handleNode(hub.handle, req, res, { url, raw: req });
      }),
    );
  });
  afterAll(async () => {
    await hub?.close();
    await server?.close();
  });

  it.each([
    [['sse', 'stream', 'iframe', 'poll', 'jsonp'], 'sse'],
    [['stream', 'poll'], 'stream'],
    [['iframe', 'poll'], 'iframe'],
  ])('with %j, falls back from %s to long-poll by itself and says so', async (order, first) => {
    const page = await openPage(server.origin);
    const channel = `buffered/${first}`;
    await startPageClient(page, { url: '/comet', transports: order, cursor: await head(), channel, bufferingTimeoutMs: 400 });
    await page.waitForFunction(() => (window as unknown as { client: { transport: string } }).client.transport === 'poll');
    await publishAll(hub, channel, range(0, 10));
    expect(dataOf(await messagesIn(page, 10))).toEqual(range(0, 10));
    const { events, state } = await clientStatus(page);
    expect(state).toBe('connected');
    expect(events.filter((e) => e.name === 'transport')).toEqual([
      { name: 'transport', from: undefined, to: first, reason: 'initial' },
      { name: 'transport', from: first, to: 'poll', reason: 'buffering' },
    ]);
  });
  const head = async (): Promise<string> => (await hub.publish('setup', null)).cursor;
});
