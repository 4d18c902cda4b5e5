import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createComet } from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { attachWebSocket } from '@cometkit/ws';
import express from 'express';
import { attachBayeuxWebSocket, createBayeux } from '@cometkit/bayeux';
import { startBayeux, type BayeuxServer } from '../support/servers';
import { socketHandshake, terminateOpened, trackedSocket, withId, type BayeuxSocketClient } from '../support/socket';
import { connect, deliveries, send, untilHeld } from '../support/wire';

let s: BayeuxServer | undefined;
afterEach(async () => {
  terminateOpened();
  await s?.close();
  s = undefined;
});

const socket = (url = s!.url, options?: Parameters<typeof trackedSocket>[1]): Promise<BayeuxSocketClient> => trackedSocket(url, options);

const ofConnect = (m: { channel?: unknown }): boolean => m.channel === '/meta/connect';

it('takes several requests over one socket; a held connect is answered by a publish sent on the same socket', async () => {
  s = await startBayeux(undefined, { bayeux: { publishing: true }, webSocket: {} });
  const c = await socket();
  const hs = await socketHandshake(c);
  expect(hs).toMatchObject({ successful: true, supportedConnectionTypes: ['websocket', 'long-polling', 'cross-origin-long-polling'] });
  const clientId = hs.clientId as string;
  c.send([{ channel: '/meta/subscribe', clientId, subscription: '/chat/*', id: 'sub' }]);
  expect(await c.next(withId('sub'))).toMatchObject({ successful: true, subscription: '/chat/*' });
  c.send([{ channel: '/meta/connect', clientId, connectionType: 'websocket', id: 'c1', advice: { timeout: 0 } }]);
  await c.next(withId('c1'));
  c.send([{ channel: '/meta/connect', clientId, connectionType: 'websocket', id: 'c2' }]);
  await untilHeld(s.hub);
  // The held connect does not hold up the frames after it.
  c.send([{ channel: '/chat/room', clientId, data: { text: 'hi' }, id: 'p1' }]);
  expect(await c.next(withId('p1'))).toMatchObject({ successful: true, channel: '/chat/room' });
  expect(await c.next(withId('c2'))).toMatchObject({ successful: true, clientId });
  expect(await c.next((m) => m.channel === '/chat/room' && 'data' in m)).toEqual({ channel: '/chat/room', data: { text: 'hi' } });
  // The handshake over HTTP lists the socket too, while it is attached.
  const [overHttp] = await send(s.url, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
  expect(overHttp!.supportedConnectionTypes).toContain('websocket');
  s.ws!.close();
  const [after] = await send(s.url, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
  expect(after!.supportedConnectionTypes).not.toContain('websocket');
});

it('a socket that closes ends its held connect, and the next connect, over HTTP, gets what came meanwhile', async () => {
  s = await startBayeux(undefined, { bayeux: { publishing: true }, webSocket: {} });
  const c = await socket();
  const clientId = (await socketHandshake(c)).clientId as string;
  c.send([{ channel: '/meta/subscribe', clientId, subscription: '/a', id: 'sub' }]);
  await c.next(withId('sub'));
  c.send([{ channel: '/meta/connect', clientId, connectionType: 'websocket', id: 'c1', advice: { timeout: 0 } }]);
  await c.next(withId('c1'));
  c.send([{ channel: '/meta/connect', clientId, connectionType: 'websocket', id: 'c2' }]);
  await untilHeld(s.hub);
  c.socket.terminate();
  for (let turns = 0; (s.hub.stats().connectionsByTransport.bayeux ?? 0) > 0; turns++) {
    if (turns > 5_000_000) throw new Error('the held connect was never ended');
    await new Promise((resolve) => setImmediate(resolve));
  }
  await s.hub.publish('a', 'meanwhile');
  expect(deliveries(await connect(s.url, clientId, { advice: { timeout: 0 } })).map((d) => d.data)).toEqual(['meanwhile']);
});

it('the CometD ack extension works over the socket: an unacknowledged answer comes again', async () => {
  s = await startBayeux(undefined, { bayeux: { publishing: true }, webSocket: {} });
  const c = await socket();
  const hs = await socketHandshake(c, { ack: true });
  expect(hs.ext).toEqual({ ack: true });
  const clientId = hs.clientId as string;
  c.send([{ channel: '/meta/subscribe', clientId, subscription: '/a', id: 'sub' }]);
  await c.next(withId('sub'));
  const connectAck = async (id: string, ack: number): Promise<unknown[]> => {
    const from = c.messages.length;
    c.send([{ channel: '/meta/connect', clientId, connectionType: 'websocket', id, advice: { timeout: 0 }, ext: { ack } }]);
    await c.next(withId(id));
    // The deliveries ride in the connect reply's frame, right after it.
    return c.messages.slice(from).filter((m) => !ofConnect(m)).map((m) => m.data);
  };
  expect(await connectAck('c1', 0)).toEqual([]);
  await s.hub.publish('a', 'm1');
  expect(await connectAck('c2', 1)).toEqual(['m1']);
  // The client says it has only batch 1: batch 2's messages come again, then nothing twice.
  await s.hub.publish('a', 'm2');
  expect(await connectAck('c3', 1)).toEqual(['m1', 'm2']);
  expect(c.messages.find(withId('c3'))!.ext).toEqual({ ack: 3 });
  expect(await connectAck('c4', 3)).toEqual([]);
});

it('an unknown clientId gets 402 and handshake advice', async () => {
  s = await startBayeux(undefined, { bayeux: { publishing: true }, webSocket: {} });
  const c = await socket();
  c.send([{ channel: '/meta/connect', clientId: 'nobody', connectionType: 'websocket', id: 'c' }]);
  expect(await c.next(withId('c'))).toMatchObject({ successful: false, error: '402:nobody:Unknown client', advice: { reconnect: 'handshake', interval: 0 } });
  c.send([{ channel: '/meta/connect', clientId: 'nobody', connectionType: 'smoke-signals', id: 'd' }]);
  expect(await c.next(withId('d'))).toMatchObject({ successful: false, error: '402:nobody:Unknown client' });
});

it('closes a socket that sends bad JSON (1007), ignores an old Faye keep-alive `[]`', async () => {
  s = await startBayeux(undefined, { bayeux: { publishing: true }, webSocket: {} });
  const c = await socket();
  c.send('[]', true);
  expect((await socketHandshake(c)).successful).toBe(true);
  c.send('{"channel":', true);
  expect(await c.closed).toBe(1007);
  const d = await socket();
  d.send('[1, 2]', true);
  expect(await d.closed).toBe(1007);
  expect(s.hub.stats().errors).toBe(0);
});

it('closes a socket on an oversized frame (1009) and on too many frames (1008)', async () => {
  s = await startBayeux(undefined, { bayeux: { publishing: true }, webSocket: { maxPayload: 1024, maxFramesPerSecond: 5 } });
  const big = await socket();
  big.send([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'], ext: { pad: 'x'.repeat(2048) } }]);
  expect(await big.closed).toBe(1009);
  const chatty = await socket();
  for (let i = 0; i < 6; i++) chatty.send([{ channel: '/meta/connect', clientId: 'x', connectionType: 'websocket', id: String(i) }]);
  expect(await chatty.closed).toBe(1008);
});

it('refuses a foreign Origin with 403 before the upgrade, accepts its own and CORS origins', async () => {
  s = await startBayeux(undefined, { bayeux: { publishing: true }, webSocket: {}, hub: { cors: { origins: ['http://app.example'] } } });
  await expect(socket(s.url, { headers: { origin: 'http://evil.example' } })).rejects.toMatchObject({ status: 403, body: expect.stringContaining('"forbidden"') });
  for (const origin of [s.origin, 'http://app.example']) {
    const c = await socket(s.url, { headers: { origin } });
    expect((await socketHandshake(c)).successful).toBe(true);
  }
});

it('on shutdown, answers the held connect and closes the socket with 1012', async () => {
  s = await startBayeux(undefined, { bayeux: { publishing: true }, webSocket: {} });
  const c = await socket();
  const clientId = (await socketHandshake(c)).clientId as string;
  c.send([{ channel: '/meta/connect', clientId, connectionType: 'websocket', id: 'c1', advice: { timeout: 0 } }]);
  await c.next(withId('c1'));
  c.send([{ channel: '/meta/connect', clientId, connectionType: 'websocket', id: 'c2' }]);
  await untilHeld(s.hub);
  await s.hub.close();
  expect(await c.next(withId('c2'))).toMatchObject({ successful: true });
  expect(await c.closed).toBe(1012);
});

it('with cometkit’s own socket and Bayeux’s on one server, each has its path and any other gets 404', async () => {
  const hub = createComet();
  const bayeux = createBayeux(hub);
  const app = express();
  app.use('/bayeux', cometExpress(bayeux));
  const server = http.createServer(app);
  const own = attachWebSocket(server, hub, { public: true });
  const bayeuxSockets = attachBayeuxWebSocket(server, bayeux);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await expect(socket(`${origin}/nowhere`)).rejects.toMatchObject({ status: 404, body: expect.stringContaining('"not_found"') });
    expect((await socketHandshake(await socket(`${origin}/bayeux`))).successful).toBe(true);
    const cometkit = await socket(`${origin}/comet/ws?channel=a`);
    expect(await cometkit.next((m) => m.type === 'open')).toMatchObject({ type: 'open' });
    expect(() => attachBayeuxWebSocket(server, bayeux)).toThrow(TypeError);
  } finally {
    terminateOpened();
    bayeux.close();
    await hub.close();
    own.close();
    bayeuxSockets.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

it('gives extensions the upgrade request (raw, headers) on every message over the socket', async () => {
  const seen: { raw: unknown; cookie: string | undefined }[] = [];
  s = await startBayeux(undefined, {
    bayeux: { extensions: [{ incoming: (message, { request }) => (seen.push({ raw: request.raw, cookie: request.header('cookie') }), message) }] },
    webSocket: {},
  });
  const c = await socket(s.url, { headers: { cookie: 'session=s1' } });
  const clientId = (await socketHandshake(c)).clientId as string;
  c.send([{ channel: '/meta/subscribe', clientId, subscription: '/a', id: 'sub' }]);
  await c.next(withId('sub'));
  expect(seen).toHaveLength(2);
  for (const { raw, cookie } of seen) {
    expect(raw).toBeInstanceOf(http.IncomingMessage);
    expect([(raw as http.IncomingMessage).headers.cookie, cookie]).toEqual(['session=s1', 'session=s1']);
  }
});
