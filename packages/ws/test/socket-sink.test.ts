import { once } from 'node:events';
import type { AddressInfo, Socket } from 'node:net';
import { createLog } from '@cometkit/core/kit';
import { WebSocket, WebSocketServer } from 'ws';
import { textFrame } from '../src/shared-frame';
import { SocketGuard } from '../src/socket-guard';
import { SocketSink } from '../src/socket-sink';

/** The kit's stream writer writes to a WebSocket through a SocketSink: what the sink does with each call. */

const log = createLog('ws-test');
let sockets: WebSocketServer;
const opened: WebSocket[] = [];

afterEach(async () => {
  // Both ends, even when an assertion failed first.
  opened.splice(0).forEach((socket) => socket.terminate());
  await new Promise((resolve) => sockets.close(resolve));
});

interface Pair {
  /** The server's socket, written through `sink`. */
  socket: WebSocket;
  sink: SocketSink;
  client: WebSocket;
  got: string[];
  /** Resolves once the client has `n` messages. */
  arrived(n: number): Promise<void>;
  /** The close code and reason the client saw. */
  closed: Promise<{ code: number; reason: string }>;
}

/** One connection to a real ws server on 127.0.0.1, its server side behind a sink. */
async function pair(heartbeatMs = 60_000, perMessageDeflate = false): Promise<Pair> {
  sockets = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate });
  await once(sockets, 'listening');
  const client = new WebSocket(`ws://127.0.0.1:${(sockets.address() as AddressInfo).port}/`, { perMessageDeflate });
  const [socket] = (await once(sockets, 'connection')) as [WebSocket];
  opened.push(client, socket);
  if (client.readyState !== client.OPEN) await once(client, 'open');
  const got: string[] = [];
  client.on('message', (data) => got.push(String(data)));
  const closed = once(client, 'close').then(([code, reason]) => ({ code: code as number, reason: String(reason) }));
  // Each wait is registered in the turn the count is checked: no message comes in between.
  const arrived = async (n: number): Promise<void> => {
    while (got.length < n) await once(client, 'message');
  };
  const guard = new SocketGuard(socket, { maxFramesPerSecond: 50, heartbeatMs, drainTimeoutMs: 5_000 }, log);
  return { socket, sink: new SocketSink(socket, guard), client, got, arrived, closed };
}

it('sends text as a frame of it and a built frame as it is, in order', async () => {
  const { sink, got, arrived } = await pair();
  expect(sink.write('{"type":"open"}')).toBe(true);
  expect(sink.write(textFrame(Buffer.from('one\ntwo\n')))).toBe(true);
  expect(sink.write(textFrame(Buffer.alloc(70_000, 0x61)))).toBe(true); // a 64-bit length
  expect(sink.write('{"type":"heartbeat"}')).toBe(true);
  await arrived(4);
  expect(got).toEqual(['{"type":"open"}', 'one\ntwo\n', 'a'.repeat(70_000), '{"type":"heartbeat"}']);
});

it('ends with the close code of the reason, after what was written; safe twice, and sends nothing after', async () => {
  const { sink, socket, got, closed } = await pair();
  sink.write('{"type":"end","reason":"slow"}');
  sink.end({ reason: 'slow', drainTimeoutMs: 1_000 });
  sink.end({ reason: 'slow' });
  expect(socket.readyState).toBe(socket.CLOSING);
  expect(sink.write('late')).toBe(false);
  expect(sink.drained()).toBeUndefined();
  expect(await closed).toEqual({ code: 1013, reason: 'slow' });
  expect(got).toEqual(['{"type":"end","reason":"slow"}']);
});

it('closes with 1012 on shutdown and 1011 on a broker error, and not at all for a client already gone', async () => {
  const shutdown = await pair();
  shutdown.sink.end({ reason: 'closing', close: true });
  expect(await shutdown.closed).toEqual({ code: 1012, reason: 'closing' });
  await new Promise((resolve) => sockets.close(resolve));

  const failed = await pair();
  failed.sink.end({ reason: 'error' });
  expect(await failed.closed).toEqual({ code: 1011, reason: 'error' });
  await new Promise((resolve) => sockets.close(resolve));

  const gone = await pair();
  gone.sink.end({ reason: 'gone' });
  expect(gone.socket.readyState).toBe(gone.socket.OPEN); // its own close (the client's) is under way
});

// Without permessage-deflate frames go whole and the TCP stream's drain paces; with it (ws's
// internals then differ), every send calls back and the last one to find the backlog down does.
it.each([
  ['written whole', false],
  ['sent by ws', true],
])('paces (%s): past 64 KiB buffered, drained() resolves once the socket has taken its backlog', async (_, perMessageDeflate) => {
  const { sink, client, got, arrived } = await pair(60_000, perMessageDeflate);
  // The client stops reading: frames pile up in the kernel, then in the server's socket.
  const tcp = (client as unknown as { _socket: Socket })._socket;
  tcp.pause();
  const big = textFrame(Buffer.alloc(1 << 20, 0x62));
  let written = 0;
  while (sink.bufferedBytes() <= 64 * 1024 && written < 256) {
    sink.write(big);
    written++;
  }
  expect(sink.bufferedBytes()).toBeGreaterThan(64 * 1024);
  const drained = sink.drained();
  expect(drained).toBeInstanceOf(Promise);
  tcp.resume();
  await drained;
  await arrived(written);
  expect(got).toHaveLength(written);
  expect(sink.drained()).toBeUndefined(); // the backlog is gone
});

it('releases a paced read when the stream ends before the socket drained', async () => {
  const { sink, client } = await pair();
  (client as unknown as { _socket: Socket })._socket.pause();
  const big = textFrame(Buffer.alloc(1 << 20, 0x63));
  for (let i = 0; i < 256 && sink.bufferedBytes() <= 64 * 1024; i++) sink.write(big);
  const drained = sink.drained();
  expect(drained).toBeInstanceOf(Promise);
  sink.end({ reason: 'slow' });
  await drained; // resolves at once: nothing more is read for an ended stream
});

it('checks liveness before a heartbeat: pings when due, and drops a peer that answered no ping', async () => {
  const { sink, socket, closed } = await pair(1_000);
  const now = Date.now();
  expect(sink.alive(now)).toBe(true); // not due yet
  expect(sink.alive(now + 1_000)).toBe(true); // pings
  // Two intervals later with no pong taken (this turn has not read one): the peer is terminated.
  expect(sink.alive(now + 3_000)).toBe(false);
  expect(socket.readyState).not.toBe(socket.OPEN);
  expect((await closed).code).toBe(1006);
});
