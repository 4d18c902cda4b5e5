import http from 'node:http';
import Koa from 'koa';
import express from 'express';
import { createComet, createMemoryBroker, type Broker, type CometHub, type CometOptions } from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { cometKoa } from '@cometkit/koa';
import { drivers, gate, type Gate, listen, postJson, receive, request, type RunningServer, until } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';

const express5 = serverKinds[1]!;

/** Runs `body` against a hub with `options` on an Express 5 server, then closes both. */
async function withHub(options: CometOptions, body: (hub: CometHub, server: RunningServer) => Promise<void>): Promise<void> {
  const hub = createComet({ jsonp: true, ...options });
  const server = await express5.start(hub);
  try {
    await body(hub, server);
  } finally {
    await hub.close();
    await server.close();
  }
}

/** A memory broker whose reads wait on `readGate`, as a networked broker's take time. */
function gatedBroker(readGate: Gate, inner: Broker = createMemoryBroker()): Broker {
  return { ...inner, read: async (...args) => (await readGate.wait(), inner.read(...args)) };
}

/** An `authorize` that stops inside itself until the test opens `authGate`. */
const gatedAuthorize = (authGate: Gate) => async (): Promise<boolean> => (await authGate.wait(), true);

describe('races around a held request', () => {
  let hub: CometHub;
  let server: RunningServer;
  async function start(options: CometOptions): Promise<void> {
    hub = createComet({ jsonp: true, ...options });
    server = await express5.start(hub);
  }
  afterEach(async () => {
    await hub.close();
    await server.close();
  });

  it('refuses with 503 a request still being authorized when close() begins', async () => {
    const authGate = gate();
    await start({ authorize: gatedAuthorize(authGate) });
    const poll = request(`${server.mount}/poll?channel=a`);
    const sse = request(`${server.mount}/sse?channel=a`);
    await until(() => authGate.count() === 2, 5_000, 'both requests inside authorize');
    const closed = hub.close();
    authGate.open();
    await closed;
    for (const res of await Promise.all([poll, sse])) {
      expect(res.status).toBe(503);
      expect(res.json().error.code).toBe('closing');
    }
    expect(hub.stats().connections).toBe(0);
  });

  it('holds nothing for a client that left while being authorized', async () => {
    const authGate = gate();
    const sockets = new Set<import('node:net').Socket>();
    await start({ authorize: gatedAuthorize(authGate) });
    server.server.on('connection', (socket) => sockets.add(socket));
    const controllers = Array.from({ length: 20 }, () => new AbortController());
    const polls = controllers.map((c) => request(`${server.mount}/poll?channel=a`, { signal: c.signal }).catch(() => undefined));
    await until(() => authGate.count() === 20, 5_000, 'every request inside authorize');
    controllers.forEach((c) => c.abort());
    await Promise.all(polls);
    // The server has seen every client leave before authorize lets the requests go on.
    await until(() => [...sockets].every((s) => s.destroyed), 5_000, 'the server to see every socket close');
    authGate.open();
    // authorize's continuation runs on the next turns; a held poll would show as a connection.
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(hub.stats().connections).toBe(0);
    expect(hub.stats().connectionsByTransport.poll ?? 0).toBe(0);
  });

  it('keeps to maxConnections while requests are being authorized', async () => {
    const authGate = gate();
    await start({ limits: { maxConnections: 10 }, authorize: gatedAuthorize(authGate), longPollTimeoutMs: 500 });
    const polls = Array.from({ length: 30 }, () => request(`${server.mount}/poll?channel=a`));
    // 10 are inside authorize (not yet held): the other 20 must already be refused.
    await until(() => authGate.count() === 10 && hub.stats().errors === 20, 5_000, () => `10 in authorize, 20 refused: ${authGate.count()}, ${JSON.stringify(hub.stats())}`);
    expect(hub.stats().connections).toBe(0);
    authGate.open();
    await until(() => hub.stats().connections === 10);
    const answers = await Promise.all(polls);
    expect(answers.filter((r) => r.status === 503).map((r) => r.json().error.code)).toEqual(Array(20).fill('too_many_connections'));
    expect(answers.filter((r) => r.status === 200)).toHaveLength(10);
  });
});

describe('a broker whose reads take time', () => {
  it.each(drivers.map((d) => d.name))('loses and repeats nothing on %s when messages come during the read', async (name) => {
    const driver = drivers.find((d) => d.name === name)!;
    const readGate = gate();
    await withHub({ broker: gatedBroker(readGate) }, async (hub, server) => {
      const from = (await hub.publish('x', 'before')).cursor;
      await hub.publish('feed', 0);
      // Polls answer only after the read, so the connection is opened without awaiting it.
      const opening = driver.connect(server.mount, `channel=feed&cursor=${from}`);
      await readGate.entered;
      for (let i = 1; i <= 3; i++) await hub.publish('feed', i); // while the read is blocked
      readGate.open();
      const connection = await opening;
      await connection.waitFor((f) => f.filter((x) => x.type === 'message').length >= (driver.streaming ? 4 : 1), 3_000);
      connection.close();
      const first = connection.frames.filter((f) => f.type === 'message').map((f) => f.data);
      const rest = await receive(driver, server.mount, 'channel=feed', connection.cursor(), 4 - first.length);
      expect([...first, ...rest.messages.map((m) => m.data)]).toEqual([0, 1, 2, 3]);
    });
  });

  it('answers close() during the read with the cursor the client sent', async () => {
    const readGate = gate();
    await withHub({ broker: gatedBroker(readGate) }, async (hub, server) => {
      const from = (await hub.publish('x', 0)).cursor;
      await hub.publish('x', 1); // the cursor is behind the head: its poll must read history
      const poll = request(`${server.mount}/poll?channel=feed&cursor=${from}`);
      await readGate.entered;
      await hub.publish('feed', 'during the read');
      const closed = hub.close();
      readGate.open();
      await closed;
      expect((await poll).json()).toEqual({ cursor: from, messages: [] });
    });
  });

  it('starts a cursor-less request at the moment it arrived, with no read of history', async () => {
    const readGate = gate();
    await withHub({ broker: gatedBroker(readGate) }, async (hub, server) => {
      const poll = request(`${server.mount}/poll?channel=feed`);
      await until(() => hub.stats().connections === 1);
      await hub.publish('feed', 'published after it arrived');
      expect((await poll).json().messages.map((m: { data: unknown }) => m.data)).toEqual(['published after it arrived']);
      expect(readGate.count()).toBe(0); // caught up from the start: the feed alone serves it
    });
  });

  it('starts a request at a cursor behind the head at that cursor, whatever the time its read takes', async () => {
    const readGate = gate();
    await withHub({ broker: gatedBroker(readGate) }, async (hub, server) => {
      const from = (await hub.publish('x', 0)).cursor;
      await hub.publish('feed', 'before it arrived');
      const poll = request(`${server.mount}/poll?channel=feed&cursor=${from}`);
      await readGate.entered;
      await hub.publish('feed', 'published during the read');
      readGate.open();
      // Read after the gate opens, the log holds both: each comes once, in order.
      const answer = (await poll).json();
      expect(answer.messages.map((m: { data: unknown }) => m.data)).toEqual(['before it arrived', 'published during the read']);
    });
  });
});

describe('a broker that loses its history while clients are connected', () => {
  it('ends live subscribers with "reset", and their next request gets the gap', async () => {
    let current = createMemoryBroker();
    const listeners = new Set<Parameters<Broker['onEntry']>[0]>();
    const broker: Broker = {
      publish: (...args) => current.publish(...args),
      read: (...args) => current.read(...args),
      head: () => current.head(),
      close: async () => undefined,
      onEntry(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const restart = (): void => {
      current = createMemoryBroker();
      current.onEntry((entry) => listeners.forEach((l) => l(entry)));
    };
    current.onEntry((entry) => listeners.forEach((l) => l(entry)));
    await withHub({ broker }, async (hub, server) => {
      const sse = drivers.find((d) => d.name === 'sse')!;
      const stream = await sse.connect(server.mount, 'channel=r');
      await stream.waitFor((f) => f.some((x) => x.type === 'open'));
      await hub.publish('r', 'old');
      await stream.waitFor((f) => f.some((x) => x.data === 'old'));
      restart();
      await hub.publish('r', 'new');
      await stream.ended;
      const end = stream.frames[stream.frames.length - 1]!;
      expect(end).toMatchObject({ type: 'end', reason: 'reset' });
      const next = await request(`${server.mount}/poll?channel=r&cursor=${end.cursor}`);
      expect(next.json().gap).toEqual({ reason: 'epoch', from: end.cursor });
      expect(next.json().messages.map((m: { data: unknown }) => m.data)).toEqual(['new']);
    });
  });
});

describe('HTTP publish when the broker fails', () => {
  it('answers 503 unavailable', async () => {
    const inner = createMemoryBroker();
    await withHub({ httpPublish: true, broker: { ...inner, publish: () => Promise.reject(new Error('down')) } }, async (hub, server) => {
      const res = await postJson(`${server.mount}/publish`, { channel: 'a', data: 1 });
      expect(res.status).toBe(503);
      expect(res.json().error.code).toBe('unavailable');
    });
  });
});

describe('mounted at the root of an app', () => {
  let hub: CometHub | undefined;
  it.each([
    ['express', (h: CometHub) => express().use(cometExpress(h)).get('/home', (_req, res) => void res.send('app'))],
    ['koa', (h: CometHub) => new Koa().use(cometKoa(h)).use(async (ctx) => void (ctx.body = 'app')).callback()],
  ] as const)('%s: takes only cometkit routes and passes the rest on', async (_name, build) => {
    hub = createComet({ longPollTimeoutMs: 50 });
    const server = await listen(http.createServer(build(hub)));
    try {
      expect((await request(`${server.origin}/home`)).text).toBe('app');
      expect((await request(`${server.origin}/client.js`)).headers['content-type']).toMatch(/javascript/);
      const poll = await request(`${server.origin}/poll?channel=a`);
      expect(poll.status).toBe(200);
      expect(poll.json().messages).toEqual([]);
    } finally {
      await hub.close();
      await server.close();
    }
  });
});
