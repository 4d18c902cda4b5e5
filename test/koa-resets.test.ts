import http from 'node:http';
import net from 'node:net';
import { createComet } from '@cometkit/core';
import { cometKoa } from '@cometkit/koa';
import { until } from './support/http';
import { listen } from './support/servers';

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

// A client going away is normal: a reset stream must not reach Koa's error reporting.
it('reports nothing when 50 streams of each kind are reset by their clients on Koa 3', async () => {
  const hub = createComet();
  const app = new Koa();
  const reported: unknown[] = [];
  app.on('error', (error: unknown) => reported.push(error));
  const consoleError = jest.spyOn(console, 'error');
  app.use(cometKoa(hub, { prefix: '/comet' }));
  const server = await listen(http.createServer(app.callback()));
  const port = (server.server.address() as net.AddressInfo).port;
  try {
    for (const path of ['/comet/sse?channel=feed', '/comet/stream?channel=feed', '/comet/iframe?channel=feed&callback=parent.f']) {
      await Promise.all(Array.from({ length: 50 }, () => openAndReset(port, path)));
    }
    await until(() => hub.stats().connections === 0);
    expect(hub.stats().connectionsByTransport).toMatchObject({ sse: 0, stream: 0, iframe: 0 });
    // The socket error comes before the response's close, which is what releases a subscriber.
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
  } finally {
    consoleError.mockRestore();
    await hub.close();
    await server.close();
  }
});

/** Sends a publish whose body stops halfway, then hangs up once the server has started reading it. */
function publishAndHangUp(port: number, hub: ReturnType<typeof createComet>): Promise<void> {
  const body = JSON.stringify({ channel: 'feed', data: 'x'.repeat(100) });
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => {
      socket.write(`POST /comet/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`);
      socket.write(body.slice(0, 10));
      void hub;
      socket.end(); // the client hangs up: the parser meets the end mid-body
    });
    // The server answers the cut-off body (400) or just closes: either way it is done with it.
    socket.once('data', () => (socket.destroy(), resolve()));
    socket.once('close', () => resolve());
    socket.once('error', reject);
  });
}

it('reports nothing when clients hang up in the middle of a publish body on Koa 3', async () => {
  const hub = createComet({ httpPublish: true });
  const app = new Koa();
  const reported: unknown[] = [];
  app.on('error', (error: unknown) => reported.push(error));
  const consoleError = jest.spyOn(console, 'error');
  app.use(cometKoa(hub, { prefix: '/comet' }));
  const server = await listen(http.createServer(app.callback()));
  const port = (server.server.address() as net.AddressInfo).port;
  const open = (): Promise<number> => new Promise((r) => server.server.getConnections((_e, n) => r(n)));
  try {
    await Promise.all(Array.from({ length: 30 }, () => publishAndHangUp(port, hub)));
    for (let i = 0; i < 1_000 && (await open()) > 0; i++) await new Promise((r) => setImmediate(r));
    await new Promise((resolve) => setImmediate(resolve));
    expect(reported).toEqual([]);
    expect(consoleError).not.toHaveBeenCalled();
    expect(hub.stats().published).toBe(0);
  } finally {
    consoleError.mockRestore();
    await hub.close();
    await server.close();
  }
});
