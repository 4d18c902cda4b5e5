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
