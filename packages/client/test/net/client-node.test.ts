import http from 'node:http';
import { createClient, type CometClient, type ClientEvents, type TransportName } from '@cometkit/client';
import { createComet, handleNode, type CometHub, type CometOptions } from '@cometkit/core';
import { listen, type RunningServer, until } from '@cometkit/core/testing';
import { expressKinds } from '../../../express/test/support/express-kinds';
import { koaKinds } from '../../../koa/test/support/koa-kinds';

/**
 * The client in Node (fetch-based long-poll and NDJSON streaming) against real Express 5 and Koa 3
 * servers: ordering, drops, gaps, subscription changes, server advice, errors and close.
 */
const kinds = [...expressKinds, ...koaKinds].filter((k) => k.name === 'express5' || k.name === 'koa3');
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Every event a client emits, in order, for assertions. */
function record(client: CometClient): { [K in keyof ClientEvents]: ClientEvents[K][] } {
  const seen = { state: [], connected: [], disconnected: [], transport: [], gap: [], error: [] } as {
    [K in keyof ClientEvents]: ClientEvents[K][];
  };
  for (const name of Object.keys(seen) as (keyof ClientEvents)[]) {
    client.on(name, (value) => (seen[name] as unknown[]).push(value));
  }
  return seen;
}

describe.each(kinds)('the client in Node on $name', (kind) => {
  let hub: CometHub;
  let server: RunningServer;
  const clients: CometClient[] = [];

  async function start(options: CometOptions = {}): Promise<void> {
    hub = createComet({ longPollTimeoutMs: 2_000, heartbeatMs: 500, ...options });
    // Koa logs the resets of the connections these tests cut on purpose.
    server = await kind.start(hub, { quiet: true });
  }
  function client(transports: TransportName[], extra: Partial<Parameters<typeof createClient>[0]> = {}): CometClient {
    const made = createClient({ url: server.mount, transports, backoff: { minMs: 50, maxMs: 400 }, ...extra });
    clients.push(made);
    return made;
  }
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await hub?.close();
    await server?.close();
  });
  /** A started hub, and a client from its head subscribed to `feed`, collecting the data. */
  async function feed(transports: TransportName[], options: CometOptions = {}) {
    await start(options);
    const from = (await hub.publish('setup', null)).cursor;
    const c = client(transports, { cursor: from });
    const events = record(c);
    const got: number[] = [];
    c.subscribe('feed', (n: number) => got.push(n));
    return { c, events, got, from };
  }

  describe.each(['poll', 'stream'] as TransportName[])('over %s', (transport) => {
    it('receives 100 messages in order, and says it is connected on that transport', async () => {
      const { c, events, got, from } = await feed([transport]);
      for (const i of range(0, 100)) await hub.publish('feed', i);
      await until(() => got.length >= 100, 5_000, '100 messages');
      await tick();
      expect(got).toEqual(range(0, 100));
      expect(c.state).toBe('connected');
      expect(c.transport).toBe(transport);
      expect(events.connected).toEqual([{ transport }]);
      expect(events.transport).toEqual([{ from: undefined, to: transport, reason: 'initial' }]);
      expect(c.cursor).toBe(`${from.split('-')[0]}-${Number(from.split('-')[1]) + 100}`);
    });

    it('gets every message exactly once when the server drops every connection mid-stream, again and again', async () => {
      const { c, events, got, from } = await feed([transport]);
      for (const i of range(0, 150)) {
        await hub.publish('feed', i);
        if (i % 10 === 0) await tick();
        if (i % 50 === 25) {
          await until(() => got.length > i - 20, 3_000, 'the client to catch up');
          server.server.closeAllConnections();
        }
      }
      // One more message after the drops: a message repeated by a resume would come before it.
      await hub.publish('feed', 150);
      await until(() => got.includes(150), 8_000, 'the last message');
      expect(got).toEqual(range(0, 151));
      expect(events.disconnected.length).toBeGreaterThanOrEqual(1);
      expect(events.gap).toEqual([]);
    });

    it('tells the app about a gap when its cursor is older than history, then delivers what is kept', async () => {
      await start({ history: { maxCount: 5 } });
      const first = (await hub.publish('feed', 0)).cursor;
      for (const i of range(1, 10)) await hub.publish('feed', i);
      const c = client([transport], { cursor: first });
      const events = record(c);
      const got: number[] = [];
      c.subscribe('feed', (n: number) => got.push(n));
      await until(() => got.length >= 5, 3_000, 'the kept messages');
      expect(events.gap).toHaveLength(1);
      expect(events.gap[0]).toMatchObject({ reason: 'expired', from: first });
      expect(got).toEqual(range(5, 10));
      await hub.publish('feed', 10);
      await until(() => got.length >= 6, 3_000, 'a live message after the gap');
      expect(got).toEqual(range(5, 11));
    });
  });

  it('changing subscriptions while connected loses nothing on the channels kept', async () => {
    await start();
    const from = (await hub.publish('setup', null)).cursor;
    const c = client(['stream'], { cursor: from });
    const kept: number[] = [];
    const added: number[] = [];
    c.subscribe('kept', (n: number) => kept.push(n));
    let offOther: () => void = () => {};
    for (const i of range(0, 120)) {
      await hub.publish('kept', i);
      await hub.publish('added', i);
      if (i % 5 === 0) await tick();
      if (i === 30) c.subscribe('added', (n: number) => added.push(n));
      if (i === 60) offOther = c.subscribe('other/*', () => {});
      if (i === 90) offOther();
    }
    // A last message on the kept channel: anything repeated would come before it.
    await hub.publish('kept', 120);
    await until(() => kept.includes(120), 5_000, 'every kept message');
    expect(kept).toEqual(range(0, 121));
    // The added channel starts somewhere after it was added, then misses nothing.
    expect(added.length).toBeGreaterThan(50);
    expect(added).toEqual(range(added[0]!, 120));
  });

  it('resumes from the end frame when the server ends streams on a small byte budget', async () => {
    const { events, got } = await feed(['stream'], { streams: { byteBudget: 2_000 } });
    for (const i of range(0, 200)) {
      await hub.publish('feed', i);
      if (i % 20 === 0) await tick();
    }
    await until(() => got.length >= 200, 5_000, '200 messages');
    expect(got).toEqual(range(0, 200));
    expect(events.disconnected).toEqual([]); // a planned end is no disconnection
    expect(events.connected).toHaveLength(1);
  });

  it('calls a pattern subscription for matching channels only', async () => {
    await start();
    const from = (await hub.publish('setup', null)).cursor;
    const c = client(['poll'], { cursor: from });
    const got: string[] = [];
    c.subscribe('/chat/*', (_data, message) => got.push(message.channel));
    for (const channel of ['chat/a', 'chat', 'chat/a/b', 'news/a', 'chat/b', 'chat/z']) await hub.publish(channel, 1);
    // In log order: once the last match is in, a wrong match before it would be too.
    await until(() => got.includes('chat/z'), 3_000, 'matching messages');
    expect(got).toEqual(['chat/a', 'chat/b', 'chat/z']);
  });

  it('publishes when the server allows it, and rejects with the code and status when not', async () => {
    await start({ httpPublish: true, authorize: (action, { channels }) => action === 'subscribe' || channels[0] !== 'locked' });
    const c = client(['poll']);
    const got: string[] = [];
    c.subscribe('room', (text: string) => got.push(text));
    await until(() => hub.stats().connections === 1, 3_000, 'the poll to be held');
    const { cursor } = await c.publish('room', 'hello');
    expect(cursor).toMatch(/^[a-z0-9]+-\d+$/);
    await until(() => got.length === 1, 3_000, 'the published message');
    expect(got).toEqual(['hello']);
    await expect(c.publish('locked', 1)).rejects.toMatchObject({ code: 'forbidden', status: 403 });
    await expect(c.publish('a pattern/*', 1)).rejects.toMatchObject({ code: 'bad_channel', status: 400 });
  });

  it.each(['poll', 'stream'] as TransportName[])(
    'sends its headers, the query of its url and its query option with every request over %s, and with publish',
    async (transport) => {
      const seen: string[] = [];
      await start({
        httpPublish: true,
        // The server lets a request in only with the token in the url's query and the header.
        authorize: (action, { request }) => {
          const { query } = request;
          seen.push(`${action} ${request.header('authorization')} ${query.get('token')} ${query.get('v')} ${query.getAll('channel')}`);
          return request.header('authorization') === 'Bearer t1' && query.get('token') === 'abc' && query.get('v') === '2';
        },
      });
      const from = (await hub.publish('setup', null)).cursor;
      const c = createClient({
        url: `${server.mount}?token=abc`,
        transports: [transport],
        cursor: from,
        headers: () => ({ authorization: 'Bearer t1' }),
        query: { v: '2' },
      });
      clients.push(c);
      const events = record(c);
      const got: string[] = [];
      c.subscribe('secret', (text: string) => got.push(text));
      await until(() => hub.stats().connections === 1, 3_000, 'the request to be held');
      await c.publish('secret', 'hello');
      await until(() => got.length === 1, 3_000, 'the message');
      expect(got).toEqual(['hello']);
      expect(events.error).toEqual([]);
      expect(seen.slice(0, 2)).toEqual(['subscribe Bearer t1 abc 2 secret', 'publish Bearer t1 abc 2 ']);
    },
  );

  it('reports a refused subscription as an error and recovers when the app drops it', async () => {
    await start();
    const from = (await hub.publish('setup', null)).cursor;
    const c = client(['stream'], { cursor: from });
    const events = record(c);
    const got: number[] = [];
    c.subscribe('good', (n: number) => got.push(n));
    const off = c.subscribe('bad channel', () => {});
    await until(() => events.error.length >= 1, 3_000, 'an error');
    expect(events.error[0]).toMatchObject({ code: 'bad_channel', status: 400, transport: 'stream' });
    expect(c.transport).toBe('stream'); // an answer from the server is no reason to change transport
    off();
    await hub.publish('good', 1);
    await until(() => got.length === 1, 3_000, 'a message once the bad channel is gone');
  });

  /** `count` requests of another client answered in turn: what a retry due at once would have come within. */
  async function otherRoundTrips(count: number): Promise<void> {
    for (let i = 0; i < count; i++) await fetch(`${server.mount}/client.js`).then((r) => r.arrayBuffer());
  }

  it('stops at a 403 or 401 (no retry), and asks again once the app drops what was refused', async () => {
    let asked = 0;
    await start({
      authenticate: (request) => (request.header('x-user') ? { id: String(request.header('x-user')) } : undefined),
      authorize: (_action, { channels, identity }) => {
        if (!channels.includes('secret')) return true;
        asked++;
        return identity !== undefined && false;
      },
    });
    const from = (await hub.publish('setup', null)).cursor;
    // No backoff at all: a retry would come at the next turn.
    const c = client(['poll'], { cursor: from, backoff: { minMs: 0, maxMs: 0 } });
    const events = record(c);
    const got: number[] = [];
    c.subscribe('good', (n: number) => got.push(n));
    const off = c.subscribe('secret', () => {});
    await until(() => events.error.length >= 1, 3_000, 'an error');
    expect(events.error[0]).toMatchObject({ code: 'unauthorized', status: 401, transport: 'poll' });
    const refusals = asked;
    // Several round trips of other requests later, the client has asked nothing more.
    await otherRoundTrips(3);
    expect([asked, c.state, events.error.length]).toEqual([refusals, 'disconnected', 1]);
    off();
    await hub.publish('good', 1);
    await until(() => got.length === 1, 3_000, 'a message once the refused channel is gone');
    // Signed in but still not allowed: 403, and no retry either.
    const signedIn = client(['poll'], { cursor: from, backoff: { minMs: 0, maxMs: 0 }, headers: { 'x-user': 'bob' } });
    const seen = record(signedIn);
    signedIn.subscribe('secret', () => {});
    await until(() => seen.error.length >= 1, 3_000, 'an error');
    expect(seen.error[0]).toMatchObject({ code: 'forbidden', status: 403 });
    const after = asked;
    await otherRoundTrips(3);
    expect([asked, signedIn.state]).toEqual([after, 'disconnected']);
  });

  it('stops cleanly on close(): no request left, no retry, state closed', async () => {
    await start();
    const c = client(['poll']);
    const events = record(c);
    c.subscribe('feed', () => {});
    await until(() => c.state === 'connected', 3_000, 'connected (the poll is held)');
    expect(hub.stats().connections).toBe(1);
    c.close();
    await until(() => hub.stats().connections === 0, 2_000, 'the held poll to be released');
    expect(c.state).toBe('closed');
    expect(events.disconnected).toEqual([{ transport: 'poll', reason: 'closed' }]);
    await hub.publish('feed', 1);
    await new Promise((r) => setTimeout(r, 200));
    expect(hub.stats().connections).toBe(0);
    expect(c.subscribe('more', () => {})).toBeInstanceOf(Function);
    expect(hub.stats().connections).toBe(0);
  });
});

describe('the client in Node against a bare server', () => {
  const servers: RunningServer[] = [];
  const clients: CometClient[] = [];
  afterEach(async () => {
    clients.splice(0).forEach((c) => c.close());
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });
  const serve = async (handler: http.RequestListener): Promise<RunningServer> => {
    const running = await listen(http.createServer(handler));
    servers.push(running);
    return running;
  };

  it('waits as long as Retry-After says before retrying', async () => {
    const times: number[] = [];
    const running = await serve((_req, res) => {
      times.push(Date.now());
      res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { code: 'too_many_connections', message: 'busy' } }));
    });
    const c = createClient({ url: running.mount, transports: ['poll'], backoff: { minMs: 10, maxMs: 20 } });
    clients.push(c);
    const events = record(c);
    c.subscribe('feed', () => {});
    await until(() => times.length >= 2, 3_000, 'a second attempt');
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(950);
    expect(events.error[0]).toMatchObject({ code: 'too_many_connections', status: 503 });
    expect(events.state.slice(0, 3)).toEqual(['connecting', 'disconnected', 'connecting']);
  });

  it('backs off exponentially, with jitter, while the server is unreachable', async () => {
    const times: number[] = [];
    const running = await serve((req) => {
      times.push(Date.now());
      req.socket.destroy();
    });
    const c = createClient({ url: running.mount, transports: ['poll'], backoff: { minMs: 40, maxMs: 10_000 } });
    clients.push(c);
    c.subscribe('feed', () => {});
    await until(() => times.length >= 5, 5_000, 'five attempts');
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // Attempt n waits between 40·2ⁿ/2 and 40·2ⁿ ms.
    gaps.forEach((gap, n) => expect(gap).toBeGreaterThanOrEqual(20 * 2 ** n - 5));
    expect(gaps[3]!).toBeGreaterThan(gaps[0]! * 2);
  });

  it('falls back from a buffered stream to long-poll by itself, and says so', async () => {
    const hub = createComet({ longPollTimeoutMs: 2_000 });
    const running = await serve((req, res) => {
      const url = req.url!.slice('/comet'.length);
      if (url.startsWith('/stream')) {
        // A buffering proxy: the headers pass, the body's bytes are held back.
        res.writeHead(200, { 'content-type': 'application/x-ndjson' });
        res.flushHeaders();
        return;
      }
      void handleNode(hub.handle, req, res, { url, raw: req });
    });
    try {
      const from = (await hub.publish('setup', null)).cursor;
      const c = createClient({ url: running.mount, cursor: from, bufferingTimeoutMs: 300 });
      clients.push(c);
      const events = record(c);
      const got: number[] = [];
      c.subscribe('feed', (n: number) => got.push(n));
      await until(() => c.transport === 'poll', 3_000, 'the fallback');
      expect(events.transport).toEqual([
        { from: undefined, to: 'stream', reason: 'initial' },
        { from: 'stream', to: 'poll', reason: 'buffering' },
      ]);
      for (const i of range(0, 5)) await hub.publish('feed', i);
      await until(() => got.length >= 5, 3_000, 'messages by poll');
      expect(got).toEqual(range(0, 5));
    } finally {
      clients.splice(0).forEach((c) => c.close());
      await hub.close();
    }
  });

  it('drops duplicates by cursor, whatever the server sends again', async () => {
    const queries: string[] = [];
    const running = await serve((req, res) => {
      queries.push(new URL(req.url!, 'http://x').searchParams.get('cursor') ?? '');
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      const frame = (n: number): string => JSON.stringify({ type: 'message', channel: 'feed', cursor: `e-${n}`, data: n }) + '\n';
      if (queries.length === 1) {
        res.end([1, 2, 2, 1, 3].map(frame).join('') + '{"type":"open","cursor":"e-3"}\n{"type":"end","reason":"budget","cursor":"e-3"}\n');
      } else if (queries.length === 2) {
        res.end([2, 3, 4].map(frame).join('')); // resent history, then a break without an end frame
      } else {
        res.write(' '.repeat(2048) + '\n' + [4, 5].map(frame).join('') + '{"type":"open","cursor":"e-5"}\n');
      }
    });
    const c = createClient({ url: running.mount, transports: ['stream'], backoff: { minMs: 10, maxMs: 20 } });
    clients.push(c);
    const got: number[] = [];
    c.subscribe('feed', (n: number) => got.push(n));
    // The open frame comes after 4 and 5 in the same write: once the cursor moved past it, the
    // client has read everything the server sent.
    await until(() => c.cursor === 'e-5', 3_000, 'the last open frame');
    expect(got).toEqual([1, 2, 3, 4, 5]);
    expect(queries).toEqual(['', 'e-3', 'e-4']);
    expect(c.cursor).toBe('e-5');
  });

  it('reports a server restart (another epoch) as a gap, and follows the new log', async () => {
    let hub = createComet({ longPollTimeoutMs: 2_000 });
    const running = await serve((req, res) => void handleNode(hub.handle, req, res, { url: req.url!.slice(6), raw: req }));
    try {
      const from = (await hub.publish('setup', null)).cursor;
      const c = createClient({ url: running.mount, transports: ['stream'], cursor: from, backoff: { minMs: 20, maxMs: 50 } });
      clients.push(c);
      const events = record(c);
      const got: number[] = [];
      c.subscribe('feed', (n: number) => got.push(n));
      await hub.publish('feed', 1);
      await until(() => got.length === 1, 3_000, 'the first message');
      const old = hub;
      hub = createComet({ longPollTimeoutMs: 2_000 }); // a restart: a new memory broker, a new epoch
      await old.close();
      await hub.publish('feed', 2); // published before the client is back: lost with the old log's cursor
      await until(() => events.gap.length === 1, 3_000, 'the gap');
      expect(events.gap[0]).toMatchObject({ reason: 'epoch' });
      await hub.publish('feed', 3);
      await until(() => got.includes(3), 3_000, 'a message from the new log');
      expect(got[0]).toBe(1);
      expect(got.filter((n) => n === 3)).toHaveLength(1);
    } finally {
      clients.splice(0).forEach((c) => c.close());
      await hub.close();
    }
  });
});
