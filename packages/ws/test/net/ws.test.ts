import http from 'node:http';
import { createComet, type CometHub, type CometOptions } from '@cometkit/core';
import { attachWebSocket, type AttachedWebSocket } from '@cometkit/ws';
import { expandMessages, type MessagesFrame } from '@cometkit/protocol';
import { WebSocket } from 'ws';
import { type Frame, listen, messagesOf, type RunningServer, until } from '@cometkit/core/testing';
import { expressKinds } from '../../../express/test/support/express-kinds';
import { openSocket, type SocketConnection, socketUrl } from '../support/ws-driver';

// What only a WebSocket has, on Express 5 with the upgrade handler attached (the conformance
// suite runs the rest on Express 5, Koa 3 and withComet).
const express5 = expressKinds.find((k) => k.name === 'express5')!;
const dataOf = (frames: Frame[]): unknown[] => messagesOf(frames).map((m) => m.data);
const answerTo = (id: number) => (frames: Frame[]): boolean => frames.some((f) => (f as { id?: number }).id === id);
const answer = (c: SocketConnection, id: number): Frame & Record<string, unknown> => c.frames.find((f) => (f as { id?: number }).id === id) as never;

let hub: CometHub;
let server: RunningServer;
let sockets: AttachedWebSocket;
const open: SocketConnection[] = [];

async function start(options: CometOptions = {}, wsOptions: Parameters<typeof attachWebSocket>[2] = {}): Promise<void> {
  hub = createComet(options);
  server = await express5.start(hub);
  sockets = attachWebSocket(server.server, hub, { public: true, ...wsOptions });
}
async function connect(query: string, headers?: Record<string, string>, client?: Parameters<typeof openSocket>[2]): Promise<SocketConnection> {
  const connection = await openSocket(socketUrl(server.mount, query), { headers }, client);
  open.push(connection);
  return connection;
}
const opened = (c: SocketConnection): Promise<void> => c.waitFor((f) => f.some((x) => x.type === 'open'), 3_000, 'the open frame');

afterEach(async () => {
  open.splice(0).forEach((c) => c.close());
  await hub?.close();
  sockets?.close();
  await server?.close();
});

describe('subscribe and unsubscribe frames', () => {
  it('add and remove channels on the open socket, keeping its position', async () => {
    await start();
    const from = (await hub.publish('setup', null)).cursor;
    await hub.publish('a', 'a1');
    await hub.publish('b', 'b1'); // before where the socket will stand: not sent when b is added
    const socket = await connect(`channel=a&cursor=${from}`);
    await opened(socket);
    await hub.publish('a', 'a2');
    await hub.publish('b', 'b-after'); // after the socket's position (a2): sent once b is added
    await socket.waitFor((f) => dataOf(f).includes('a2'));
    socket.send({ type: 'subscribe', channels: ['b'], id: 1 });
    await socket.waitFor(answerTo(1));
    expect(answer(socket, 1)).toMatchObject({ type: 'subscribed', channels: ['a', 'b'] });
    await socket.waitFor((f) => dataOf(f).includes('b-after'));
    await hub.publish('b', 'b2');
    await socket.waitFor((f) => dataOf(f).includes('b2'));
    // b from the socket's position (the last message it got, as a reconnect from its cursor
    // would), then live; each message once, a's never twice.
    expect(dataOf(socket.frames)).toEqual(['a1', 'a2', 'b-after', 'b2']);
    socket.send({ type: 'unsubscribe', channels: ['/a'], id: 2 });
    await socket.waitFor(answerTo(2));
    expect(answer(socket, 2)).toMatchObject({ type: 'unsubscribed', channels: ['b'] });
    await hub.publish('a', 'a3');
    await hub.publish('b', 'b3');
    await socket.waitFor((f) => dataOf(f).includes('b3'));
    expect(dataOf(socket.frames)).not.toContain('a3');
    expect(hub.stats().connectionsByTransport.ws).toBe(1);
  });

  it('refuse what authorize refuses, and bad or too many channels, changing nothing', async () => {
    await start({ limits: { maxChannels: 3 }, authorize: (_action, { channels }) => !channels.includes('secret') });
    const socket = await connect('channel=a');
    await opened(socket);
    socket.send({ type: 'subscribe', channels: ['secret'], id: 1 });
    socket.send({ type: 'subscribe', channels: ['bad name'], id: 2 });
    socket.send({ type: 'subscribe', channels: ['b', 'c', 'd'], id: 3 });
    socket.send({ type: 'subscribe', channels: 'b', id: 4 });
    await socket.waitFor(answerTo(4));
    expect([1, 2, 3, 4].map((id) => [answer(socket, id).type, answer(socket, id).code])).toEqual([
      ['error', 'forbidden'],
      ['error', 'bad_channel'],
      ['error', 'too_many_channels'],
      ['error', 'bad_request'],
    ]);
    await hub.publish('secret', 'no');
    await hub.publish('a', 'yes');
    await socket.waitFor((f) => dataOf(f).includes('yes'));
    expect(dataOf(socket.frames)).toEqual(['yes']);
  });
});

describe('the request behind a socket', () => {
  it('gives authorize the upgrade request (headers, query, raw) on every later frame', async () => {
    const seen: { raw: unknown; cookie?: string; query?: string | null; path: string }[] = [];
    await start({
      authorize: (action, { request }) => {
        if (action === 'subscribe') seen.push({ raw: request.raw, cookie: request.header('cookie'), query: request.query.get('channel'), path: request.path });
        return true;
      },
    });
    const socket = await connect('channel=a', { cookie: 'session=s1' });
    await opened(socket);
    socket.send({ type: 'subscribe', channels: ['b'], id: 1 });
    await socket.waitFor(answerTo(1));
    expect(seen).toHaveLength(2);
    for (const { raw, cookie, query, path } of seen) {
      expect(raw).toBeInstanceOf(http.IncomingMessage);
      expect((raw as http.IncomingMessage).headers.cookie).toBe('session=s1');
      expect([cookie, query, path]).toEqual(['session=s1', 'a', `${new URL(server.mount).pathname}/ws`]);
    }
  });
});

describe('publishing over the socket', () => {
  it('publishes through authorize when httpPublish is on', async () => {
    const asked: unknown[] = [];
    await start({ httpPublish: true, authorize: (action, ctx) => (action === 'publish' && asked.push([ctx.transport, ctx.channels, ctx.data]), ctx.data !== 'forbidden') });
    const reader = await connect('channel=chat');
    const writer = await connect('channel=other');
    await Promise.all([opened(reader), opened(writer)]);
    writer.send({ type: 'publish', channel: 'chat', data: { text: 'hi' }, id: 'p1' });
    await writer.waitFor((f) => f.some((x) => (x as { id?: string }).id === 'p1'));
    const published = writer.frames.find((f) => (f as { id?: string }).id === 'p1')!;
    expect(published).toMatchObject({ type: 'published', channel: 'chat', cursor: expect.any(String) });
    await reader.waitFor((f) => messagesOf(f).length === 1);
    expect(messagesOf(reader.frames)[0]).toMatchObject({ channel: 'chat', cursor: published.cursor, data: { text: 'hi' } });
    writer.send({ type: 'publish', channel: 'chat', data: 'forbidden', id: 2 });
    writer.send({ type: 'publish', channel: 'chat/*', data: 1, id: 3 });
    writer.send({ type: 'publish', channel: 'chat', id: 4 });
    await writer.waitFor(answerTo(4));
    expect([2, 3, 4].map((id) => answer(writer, id).code)).toEqual(['forbidden', 'bad_channel', 'bad_request']);
    expect(asked).toEqual([['ws', ['chat'], { text: 'hi' }], ['ws', ['chat'], 'forbidden']]);
  });

  it('is refused when httpPublish is off, and a Host not in allowedHosts never gets a socket', async () => {
    await start();
    const socket = await connect('channel=a');
    socket.send({ type: 'publish', channel: 'a', data: 1, id: 1 });
    await socket.waitFor(answerTo(1));
    expect(answer(socket, 1)).toMatchObject({ type: 'error', code: 'forbidden' });
    await hub.close();
    sockets.close();
    await server.close();
    await start({ httpPublish: true, allowedHosts: ['app.example'] });
    // The upgrade is screened like every door: the rebinding page never gets to send a frame.
    const rebound = await connect('channel=a');
    await rebound.ended;
    expect(rebound.status).toBe(403);
    expect(hub.stats().published).toBe(0);
  });
});

describe('attaching', () => {
  it('refuses a hub with no authenticate, rules or authorize unless told the endpoint is public', async () => {
    hub = createComet();
    server = await express5.start(hub);
    expect(() => attachWebSocket(server.server, hub)).toThrow(/public: true/);
    await hub.close();
    hub = createComet({ rules: { 'chat/*': 'everyone' } });
    sockets = attachWebSocket(server.server, hub);
    const refused = await connect('channel=**');
    await refused.ended;
    expect(refused.status).toBe(403);
    const allowed = await connect('channel=chat/*');
    expect(allowed.status).toBe(101);
    await opened(allowed);
  });

  it('holds subscribe frames to the rules and identity of the upgrade: 401 without one, 403 past the rules', async () => {
    await start({
      authenticate: (request) => (request.header('x-user') ? { id: String(request.header('x-user')) } : undefined),
      rules: { 'chat/*': 'everyone', 'user/:id/**': (who, { id }) => who?.id === id },
    });
    const anonymous = await connect('channel=chat/a');
    await opened(anonymous);
    anonymous.send({ type: 'subscribe', channels: ['user/alice/inbox'], id: 1 });
    await anonymous.waitFor(answerTo(1));
    expect(answer(anonymous, 1)).toMatchObject({ type: 'error', code: 'unauthorized' });
    const alice = await connect('channel=chat/a', { 'x-user': 'alice' });
    await opened(alice);
    alice.send({ type: 'subscribe', channels: ['**'], id: 1 });
    alice.send({ type: 'subscribe', channels: ['user/alice/**'], id: 2 });
    await alice.waitFor(answerTo(2));
    expect(answer(alice, 1)).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(answer(alice, 2)).toMatchObject({ type: 'subscribed', channels: ['chat/a', 'user/alice/**'] });
  });
});

describe('refusals before the upgrade', () => {
  it('refuses a foreign Origin with 403, accepts its own host and CORS origins', async () => {
    await start({ cors: { origins: ['http://app.example'] } });
    const foreign = await connect('channel=a', { origin: 'http://evil.example' });
    await foreign.ended;
    expect([foreign.status, JSON.parse(foreign.raw()).error.code]).toEqual([403, 'forbidden']);
    const sandboxed = await connect('channel=a', { origin: 'null' });
    await sandboxed.ended;
    expect(sandboxed.status).toBe(403);
    for (const origin of [server.origin, 'http://app.example']) {
      const socket = await connect('channel=a', { origin });
      expect(socket.status).toBe(101);
      await opened(socket);
    }
    expect(hub.stats().connectionsByTransport.ws).toBe(2);
  });

  it('refuses a Host not in allowedHosts (DNS rebinding) with 403, accepts a listed one', async () => {
    await start({ allowedHosts: ['localhost'] });
    const rebound = await connect('channel=a', { host: 'evil.example' });
    await rebound.ended;
    expect([rebound.status, JSON.parse(rebound.raw()).error.code]).toEqual([403, 'forbidden']);
    const listed = await connect('channel=a', { host: `localhost:${new URL(server.origin).port}` });
    expect(listed.status).toBe(101);
    await opened(listed);
  });

  it('answers authorize, shutdown and a path it does not serve as HTTP errors', async () => {
    await start({ authorize: () => Promise.resolve(false) });
    const refused = await connect('channel=a');
    await refused.ended;
    expect([refused.status, JSON.parse(refused.raw()).error.code]).toEqual([403, 'forbidden']);
    const elsewhere = await openSocket(`${server.origin.replace('http', 'ws')}/other/ws?channel=a`);
    await elsewhere.ended;
    expect(elsewhere.status).toBe(404);
    await hub.close();
    const late = await connect('channel=a');
    await late.ended;
    expect([late.status, late.headers['retry-after'], JSON.parse(late.raw()).error.code]).toEqual([503, '2', 'closing']);
  });

  it('refuses a frames value it does not know, or two, with 400', async () => {
    await start();
    for (const query of ['channel=a&frames=tiny', 'channel=a&frames=compact&frames=tiny']) {
      const refused = await connect(query);
      await refused.ended;
      expect([refused.status, JSON.parse(refused.raw()).error.code]).toEqual([400, 'bad_request']);
    }
    const objects = await connect('channel=a&frames=objects');
    await opened(objects);
  });

  it('reports an authorize that throws and answers 503, without crashing', async () => {
    const errors: unknown[] = [];
    await start({ authorize: () => { throw new Error('bug in the app'); }, logger: { error: (...args) => errors.push(args) } });
    const socket = await connect('channel=a');
    await socket.ended;
    expect([socket.status, JSON.parse(socket.raw()).error.code]).toEqual([503, 'unavailable']);
    expect(errors).toHaveLength(1);
    expect(hub.stats().connections).toBe(0);
  });
});

describe('bad frames', () => {
  it('answers text that is not a frame with an error frame and keeps the socket', async () => {
    await start();
    const socket = await connect('channel=a');
    await opened(socket);
    socket.send('not json', true);
    socket.send('[1]', true);
    socket.send({ type: 'dance', id: 7 });
    await socket.waitFor((f) => f.filter((x) => x.type === ('error' as Frame['type'])).length === 3);
    expect(socket.frames.filter((f) => f.type === ('error' as Frame['type'])).map((f) => (f as { code?: string }).code)).toEqual(['bad_json', 'bad_request', 'bad_request']);
    expect(answer(socket, 7)).toMatchObject({ type: 'error', code: 'bad_request' });
    await hub.publish('a', 'still open');
    await socket.waitFor((f) => dataOf(f).includes('still open'));
  });

  it('closes on a binary frame (1003), an oversized one (1009) and a flood (1008)', async () => {
    await start({}, { maxPayload: 1024, maxFramesPerSecond: 20 });
    const binary = await connect('channel=a');
    binary.socket!.send(Buffer.from([1, 2, 3]), { binary: true });
    await binary.ended;
    const big = await connect('channel=a');
    big.send({ type: 'subscribe', channels: ['x'.repeat(2_000)] });
    await big.ended;
    const flood = await connect('channel=a');
    for (let i = 0; i < 40; i++) flood.send({ type: 'unsubscribe', channels: ['b'] });
    await flood.ended;
    expect([binary.closeCode(), big.closeCode(), flood.closeCode()]).toEqual([1003, 1009, 1008]);
    await until(() => hub.stats().connections === 0);
    const after = await connect('channel=a');
    await opened(after);
  });
});

describe('ending sockets', () => {
  it('on shutdown: an end frame "closing" with the cursor, then close code 1012', async () => {
    await start();
    const socket = await connect('channel=a');
    await opened(socket);
    const { cursor } = await hub.publish('a', 'last');
    await socket.waitFor((f) => dataOf(f).includes('last'));
    await hub.close();
    await socket.ended;
    expect(socket.frames[socket.frames.length - 1]).toEqual({ type: 'end', reason: 'closing', cursor });
    expect(socket.closeCode()).toBe(1012);
  });

  it('cuts a slow socket off with 1013 after an end frame "slow"', async () => {
    await start({}, { maxBufferedBytes: 64 * 1024 });
    const socket = await connect('channel=flood');
    await opened(socket);
    socket.pause();
    const big = 'y'.repeat(16 * 1024);
    for (let i = 0; i < 2_000 && hub.stats().slowClientCutoffs === 0; i++) {
      await hub.publish('flood', big);
      await new Promise((r) => setImmediate(r));
    }
    expect(hub.stats().slowClientCutoffs).toBe(1);
    socket.resume();
    await socket.ended;
    expect(socket.frames[socket.frames.length - 1]).toMatchObject({ type: 'end', reason: 'slow' });
    expect(socket.closeCode()).toBe(1013);
  });

  it('terminates a peer that answers no ping', async () => {
    await start({}, { heartbeatMs: 40 });
    const alive = await connect('channel=a');
    const dead = await connect('channel=a', undefined, { autoPong: false });
    await Promise.all([opened(alive), opened(dead)]);
    await dead.ended;
    expect(dead.closeCode()).toBe(1006); // no close frame: the server cut the connection
    await until(() => hub.stats().connectionsByTransport.ws === 1, 2_000, 'the dead socket to be released');
    expect(alive.isEnded()).toBe(false);
  });

  it('a maxAgeMs ends the socket with "age" and its cursor', async () => {
    await start({}, { maxAgeMs: 100 });
    const socket = await connect('channel=a');
    await socket.ended;
    expect(socket.frames[socket.frames.length - 1]).toMatchObject({ type: 'end', reason: 'age', cursor: expect.any(String) });
    expect(socket.closeCode()).toBe(1000);
  });
});

it('leaves upgrades on other paths to the server\'s other upgrade listeners', async () => {
  hub = createComet();
  const plain = http.createServer();
  server = await listen(plain);
  const seen: string[] = [];
  plain.on('upgrade', (req, socket) => {
    seen.push(req.url!);
    if (req.url === '/hmr') socket.destroy(); // its own path; ours it leaves alone, as we leave it its
  });
  sockets = attachWebSocket(plain, hub, { path: '/push/ws', public: true });
  await expect(openSocket(`${server.origin.replace('http', 'ws')}/hmr`)).rejects.toThrow();
  const ours = await openSocket(`${server.origin.replace('http', 'ws')}/push/ws?channel=a`);
  open.push(ours);
  await opened(ours);
  expect(seen).toEqual(['/hmr', '/push/ws?channel=a']);
});

describe('batches', () => {
  /** Text frames as the socket received them, each split into its frame objects. */
  function rawFrames(query: string): { frames: Frame[][]; ready: Promise<void>; socket: WebSocket } {
    const socket = new WebSocket(socketUrl(server.mount, query));
    const frames: Frame[][] = [];
    const ready = new Promise<void>((resolve) => {
      socket.on('message', (data) => {
        const objects = String(data).split('\n').filter(Boolean).map((line) => JSON.parse(line) as Frame);
        frames.push(objects);
        if (objects.some((f) => f.type === 'open')) resolve();
      });
    });
    return { frames, ready, socket };
  }
  const messageFrames = (frames: Frame[][]): Frame[][] => frames.filter((objects) => objects.some((f) => f.type === 'message'));
  /** The compact frames among them, as the raw objects they came as. */
  const compactFrames = (frames: Frame[][]): MessagesFrame[] => frames.flat().filter((f) => (f.type as string) === 'messages') as unknown as MessagesFrame[];

  it('sends the messages of one turn as one frame of lines, in order', async () => {
    await start();
    const { frames, ready, socket } = rawFrames('channel=burst');
    await ready;
    await Promise.all(Array.from({ length: 20 }, (_, i) => hub.publish('burst', i)));
    await until(() => messageFrames(frames).flat().length === 20, 3_000, 'twenty messages');
    socket.terminate();
    expect(messageFrames(frames)).toHaveLength(1);
    expect(dataOf(messageFrames(frames)[0]!)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('with frames=compact: one messages frame per turn, per stretch of history and per lone message, never a message object', async () => {
    await start();
    const from = (await hub.publish('setup', null)).cursor;
    for (let i = 0; i < 30; i++) await hub.publish(i % 2 ? 'c/odd' : 'c/even', i);
    const { frames, ready, socket } = rawFrames(`channel=c/*&cursor=${from}&frames=compact`);
    await ready;
    await hub.publish('c/odd', 'live');
    await until(() => compactFrames(frames).length === 2, 3_000, 'the live message');
    await Promise.all(Array.from({ length: 20 }, (_, i) => hub.publish('c/even', `burst ${i}`)));
    await until(() => compactFrames(frames).flatMap((f) => f.messages).length === 51, 3_000, 'history, the live message and the burst');
    socket.terminate();
    expect(frames.flat().filter((f) => f.type === 'message')).toEqual([]);
    const [history, live, burst] = compactFrames(frames);
    const read = (frame: MessagesFrame | undefined): unknown[] => expandMessages(frame!).map((m) => m.data);
    expect(read(history)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(read(live)).toEqual(['live']);
    expect(read(burst)).toEqual(Array.from({ length: 20 }, (_, i) => `burst ${i}`));
    // Every cursor is the one the message objects carry: resuming from the tenth gets the rest, once.
    const cursors = [history, live, burst].flatMap((frame) => expandMessages(frame!).map((m) => m.cursor));
    const again = await connect(`channel=c/*&cursor=${cursors[9]}&frames=compact`);
    await again.waitFor((f) => messagesOf(f).length === 41, 3_000, 'the rest');
    expect(messagesOf(again.frames).map((m) => m.cursor)).toEqual(cursors.slice(10));
    // A run on one channel names it once: the burst is all on c/even.
    expect(burst!.messages.filter((m) => m.length === 3)).toHaveLength(1);
  });

  it('writes batches of every frame size (7, 16 and 64-bit lengths) whole, in order with the frames between them', async () => {
    await start({ limits: { maxBodyBytes: 40_000 } });
    const { frames, ready, socket } = rawFrames('channel=sizes&frames=compact');
    await ready;
    const big = (n: number, fill: string): string => fill.repeat(n);
    const batches = (n: number): Promise<void> => until(() => compactFrames(frames).length === n, 3_000, `${n} batches`);
    await hub.publish('sizes', 'small');
    await batches(1);
    await hub.publish('sizes', big(1_000, 'm'));
    await batches(2);
    // Three of 30,000 characters in one turn: one frame over 65,535 bytes.
    await Promise.all(['x', 'y', 'z'].map((fill) => hub.publish('sizes', big(30_000, fill))));
    await batches(3);
    await hub.close();
    await until(() => frames.flat().some((f) => f.type === 'end'), 3_000, 'the end frame');
    socket.terminate();
    const read = compactFrames(frames).map((frame) => expandMessages(frame).map((m) => m.data));
    expect(read).toEqual([['small'], [big(1_000, 'm')], [big(30_000, 'x'), big(30_000, 'y'), big(30_000, 'z')]]);
    // open (sent by ws), the batches (written whole), end (sent by ws): one stream, in order.
    expect(frames.map((objects) => objects[0]!.type)).toEqual(['open', 'messages', 'messages', 'messages', 'end']);
  });

  it('sends a stretch of history as one frame, and a lone message as a frame of its own', async () => {
    await start();
    const from = (await hub.publish('setup', null)).cursor;
    for (let i = 0; i < 30; i++) await hub.publish('past', i);
    const { frames, ready, socket } = rawFrames(`channel=past&cursor=${from}`);
    await ready;
    await hub.publish('past', 'live');
    await until(() => messageFrames(frames).flat().length === 31, 3_000, 'history and the live message');
    socket.terminate();
    const [history, live] = messageFrames(frames);
    expect(dataOf(history!)).toEqual(Array.from({ length: 30 }, (_, i) => i));
    expect(live).toEqual([expect.objectContaining({ type: 'message', data: 'live' })]);
  });
});
