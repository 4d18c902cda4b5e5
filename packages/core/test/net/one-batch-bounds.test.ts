import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createComet, withComet, type CometHub } from '@cometkit/core';

/**
 * Finding 8 of issue 21, over real sockets: a one-batch answer is bounded by bytes (the rest comes
 * on the next poll, from its cursor), and one its client does not take is cut after the drain
 * timeout, so a client that never reads cannot pin an answer for as long as it keeps the socket.
 */
describe('one-batch answers over real sockets', () => {
  let hub: CometHub;
  let server: http.Server;
  let port: number;

  async function serve(options: Parameters<typeof createComet>[0]): Promise<void> {
    hub = createComet(options);
    server = http.createServer(withComet(hub, '/comet', (_req, res) => res.writeHead(404).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  }

  afterEach(async () => {
    await hub.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  /** Waits (turn by turn, for the event, not for a time) until the hub holds `count` requests. */
  async function held(count: number): Promise<void> {
    while (hub.stats().connections !== count) await new Promise((resolve) => setImmediate(resolve));
  }

  it('a poll of more than limits.maxBatchBytes of history answers a batch under it; the next polls bring the rest', async () => {
    await serve({ limits: { maxBatchBytes: 1024 * 1024 } });
    const big = (i: number): string => `${i}`.padEnd(400 * 1024, '.'); // two fit in 1 MiB, three do not
    let cursor = (await hub.publish('big', 'start')).cursor;
    for (let i = 0; i < 5; i++) await hub.publish('big', big(i));
    const got: string[] = [];
    const sizes: number[] = [];
    for (;;) {
      const res = await fetch(`http://127.0.0.1:${port}/comet/poll?channel=big&cursor=${cursor}`);
      const text = await res.text();
      const body = JSON.parse(text) as { cursor: string; messages: { data: string }[] };
      if (body.messages.length === 0) break; // never: the loop ends when all five are in
      sizes.push(body.messages.length);
      expect(text.length).toBeLessThan(1024 * 1024 + 1024);
      got.push(...body.messages.map((m) => m.data));
      cursor = body.cursor;
      if (got.length === 5) break;
    }
    expect(sizes).toEqual([2, 2, 1]);
    expect(got).toEqual([0, 1, 2, 3, 4].map(big));
  });

  it('an answer the client does not take within the drain timeout destroys its socket', async () => {
    // A batch far larger than the kernel's buffers (so most of it stays in the process).
    await serve({ limits: { maxBatchBytes: 64 * 1024 * 1024 }, streams: { drainTimeoutMs: 100 } });
    const serverSocket = new Promise<net.Socket>((resolve) => server.once('connection', resolve));
    const client = net.connect(port, '127.0.0.1');
    client.pause(); // never reads
    client.on('error', () => undefined); // the server's cut may reach it as a reset
    client.write('GET /comet/poll?channel=big HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    const socket = await serverSocket;
    await held(1);
    const megabyte = 'x'.repeat(1024 * 1024);
    // One turn's publishes: the held poll takes them as one batch of 24 MiB.
    await Promise.all(Array.from({ length: 24 }, () => hub.publish('big', megabyte)));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(socket.destroyed).toBe(true);
    client.destroy();
  });
});
