import http from 'node:http';
import net from 'node:net';
import { createComet, type CometHub } from '@cometkit/core';
import { cometKoa } from '@cometkit/koa';
import { listen, type RunningServer, until } from '@cometkit/core/testing';

/* eslint-disable @typescript-eslint/no-require-imports */
const Koa = require('koa');

/** Opens a stream on a raw socket, waits for its first bytes, then resets the connection (RST). */
function openAndReset(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    });
    socket.once('data', () => {
      socket.resetAndDestroy();
      resolve();
    });
    socket.once('error', reject);
  });
}

/** A Koa 3 app with cometkit under /comet, and what it reports: Koa's error events and console.error. */
async function quietKoa(options: Parameters<typeof createComet>[0], body: (port: number, hub: CometHub, server: RunningServer) => Promise<void>): Promise<{ reported: unknown[]; logged: number }> {
  const hub = createComet(options);
  const app = new Koa();
  const reported: unknown[] = [];
  app.on('error', (error: unknown) => reported.push(error));
  const consoleError = jest.spyOn(console, 'error');
  app.use(cometKoa(hub, { prefix: '/comet' }));
  const server = await listen(http.createServer(app.callback()));
  try {
    await body((server.server.address() as net.AddressInfo).port, hub, server);
    // A socket's error comes before the close that ends the request: let it land.
    await new Promise((resolve) => setImmediate(resolve));
    return { reported, logged: consoleError.mock.calls.length };
  } finally {
    consoleError.mockRestore();
    await hub.close();
    await server.close();
  }
}

// A client going away is normal: a reset stream must not reach Koa's error reporting.
it('reports nothing when 50 streams of each kind are reset by their clients on Koa 3', async () => {
  const seen = await quietKoa({}, async (port, hub) => {
    for (const path of ['/comet/sse?channel=feed', '/comet/stream?channel=feed', '/comet/iframe?channel=feed&callback=parent.f']) {
      await Promise.all(Array.from({ length: 50 }, () => openAndReset(port, path)));
    }
    await until(() => hub.stats().connections === 0);
    expect(hub.stats().connectionsByTransport).toMatchObject({ sse: 0, stream: 0, iframe: 0 });
  });
  expect(seen).toEqual({ reported: [], logged: 0 });
});

/** Sends a publish whose body stops after a few bytes, then hangs up. */
function publishAndHangUp(port: number): Promise<void> {
  const body = JSON.stringify({ channel: 'feed', data: 'x'.repeat(100) });
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`POST /comet/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body.slice(0, 10));
      socket.end(); // the client hangs up: the parser meets the end mid-body
    });
    // The server answers the cut-off body (400) or just closes: either way it is done with it.
    socket.once('data', () => (socket.destroy(), resolve()));
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
}

it('reports nothing when clients hang up in the middle of a publish body on Koa 3', async () => {
  const seen = await quietKoa({ httpPublish: true }, async (port, hub, server) => {
    const open = (): Promise<number> => new Promise((r) => server.server.getConnections((_e, n) => r(n)));
    await Promise.all(Array.from({ length: 30 }, () => publishAndHangUp(port)));
    for (let i = 0; i < 1_000 && (await open()) > 0; i++) await new Promise((r) => setImmediate(r));
    expect(hub.stats().published).toBe(0);
  });
  expect(seen).toEqual({ reported: [], logged: 0 });
});

it("still hands Koa a socket error that is not a client going away, through Koa's own reporter or the app's", async () => {
  const hub = createComet();
  const app = new Koa();
  const reported: unknown[] = [];
  app.on('error', (error: unknown) => reported.push(error));
  const contexts: { onerror: (error: unknown) => void }[] = [];
  const appReported: unknown[] = [];
  app.use((ctx: { path: string; onerror: (error: unknown) => void }, next: () => Promise<unknown>) => {
    contexts.push(ctx);
    // The second request's context carries a reporter of the app's own, set before cometkit's mount.
    if (contexts.length === 2) ctx.onerror = (error: unknown) => appReported.push(error);
    return next();
  });
  app.use(cometKoa(hub, { prefix: '/comet' }));
  const server = await listen(http.createServer(app.callback()));
  try {
    const { port } = server.server.address() as net.AddressInfo;
    for (let i = 0; i < 2; i++) expect((await fetch(`http://127.0.0.1:${port}/comet/poll?channel=a&cursor=${(await hub.publish('a', i)).cursor.replace(/\d+$/, (n) => String(Number(n) - 1))}`)).status).toBe(200);
    const gone = Object.assign(new Error('reset'), { code: 'ECONNRESET' });
    const broken = Object.assign(new Error('broken'), { code: 'EIO' });
    for (const ctx of contexts) {
      ctx.onerror(gone);
      ctx.onerror(broken);
    }
    expect(reported.map((error) => (error as Error).message)).toEqual(['broken']);
    // Koa itself calls it with null once the response finished: that one is passed on too.
    expect(appReported.filter((error) => error !== null)).toEqual([broken]);
  } finally {
    await hub.close();
    await server.close();
  }
});
