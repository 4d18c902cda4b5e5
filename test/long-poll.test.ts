import { createComet, type CometHub, type CometOptions } from '@cometkit/core';
import { type HttpResult, postJson, request, type RunningServer, until } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';

/** Resolves after the hub's dispatch of what was just published (it runs on setImmediate). */
const turnAfterDispatch = (): Promise<void> => new Promise((r) => setImmediate(r));

interface PollBody {
  cursor: string;
  messages: { channel: string; cursor: string; data: unknown }[];
  gap?: { reason: string; from: string };
}

describe.each(serverKinds)('long-poll on $name', (kind) => {
  let hub: CometHub;
  let server: RunningServer;
  const open: RunningServer[] = [];

  async function start(options: CometOptions = {}): Promise<void> {
    hub = createComet({ longPollTimeoutMs: 2_000, ...options });
    server = await kind.start(hub);
    open.push(server);
  }
  afterEach(async () => {
    await hub?.close();
    await Promise.all(open.splice(0).map((s) => s.close()));
  });

  const poll = async (query: string): Promise<PollBody> => {
    const res = await request(`${server.mount}/poll?${query}`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    // A length, not chunks: the answer is whole before its first byte goes out.
    expect(res.headers['transfer-encoding']).toBeUndefined();
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    return res.json<PollBody>();
  };
  /**
   * A cursor to poll `channel` from: the cursor of a marker published on `channel` itself, so a
   * test that expects exact data also proves the marker (at the cursor) is never replayed.
   */
  const headCursor = async (channel: string): Promise<string> => (await hub.publish(channel, 'marker before the test')).cursor;

  it('holds a poll until a publish releases it', async () => {
    await start();
    const pending = poll('channel=chat/room');
    await until(() => hub.stats().connections === 1, 2_000, 'the poll to be held');
    // Held: a publish elsewhere does not end it (the order of events, not a clock, shows it).
    await hub.publish('chat/other', 'not mine');
    await turnAfterDispatch();
    expect(hub.stats().connections).toBe(1);
    const { cursor } = await hub.publish('chat/room', { text: 'hi' });
    const body = await pending;
    expect(body.messages).toEqual([{ channel: 'chat/room', cursor, data: { text: 'hi' } }]);
    expect(body.cursor).toBe(cursor);
    // Released by the publish, not by the 2 s long-poll timeout.
    expect(hub.stats().timeouts).toBe(0);
    expect(hub.stats().connections).toBe(0);
  });

  it('answers at once with what was published after the cursor', async () => {
    await start();
    const from = await headCursor('chat');
    await hub.publish('chat/room', 1);
    await hub.publish('other', 'not mine');
    await hub.publish('chat/room', 2);
    const body = await poll(`channel=chat/room&cursor=${from}`);
    expect(body.messages.map((m) => m.data)).toEqual([1, 2]);
    expect(body.cursor).toBe(body.messages[1]!.cursor);
  });

  it('resumes after 1,000 messages, over several polls, each message once and in order', async () => {
    await start({ batchLimit: 128 });
    let cursor = await headCursor('feed');
    for (let i = 0; i < 1_000; i++) {
      await hub.publish(i % 3 === 0 ? 'noise' : 'feed', i);
    }
    const expected = Array.from({ length: 1_000 }, (_, i) => i).filter((i) => i % 3 !== 0);
    const seen: number[] = [];
    let polls = 0;
    while (seen.length < expected.length && polls < 50) {
      const body = await poll(`channel=feed&cursor=${cursor}`);
      seen.push(...body.messages.map((m) => m.data as number));
      cursor = body.cursor;
      polls++;
    }
    expect(seen).toEqual(expected);
    expect(polls).toBeGreaterThan(1);
    // Nothing more, nothing repeated: the next poll waits, then times out empty.
    await hub.publish('feed', 'last');
    expect((await poll(`channel=feed&cursor=${cursor}`)).messages.map((m) => m.data)).toEqual(['last']);
  });

  it('gives every one of many concurrent pollers every message', async () => {
    await start();
    const start0 = await headCursor('news');
    const pollers = 50;
    const total = 20;
    const results = Array.from({ length: pollers }, async () => {
      let cursor = start0;
      const got: number[] = [];
      while (got.length < total) {
        const body = await poll(`channel=news&cursor=${cursor}`);
        got.push(...body.messages.map((m) => m.data as number));
        cursor = body.cursor;
      }
      return got;
    });
    await until(() => hub.stats().connections === pollers, 5_000, 'all pollers to be held');
    for (let i = 0; i < total; i++) {
      await hub.publish('news', i);
      if (i % 5 === 0) await new Promise((r) => setImmediate(r));
    }
    const everyone = await Promise.all(results);
    for (const got of everyone) expect(got).toEqual(Array.from({ length: total }, (_, i) => i));
  });

  it('polls a wildcard: * for one segment, ** for any depth', async () => {
    await start();
    const from = await headCursor('x');
    await hub.publish('chat/a', 'a');
    await hub.publish('chat/a/deep', 'deep');
    await hub.publish('other/a', 'other');
    await hub.publish('chat/b', 'b');
    const one = await poll(`channel=chat/*&cursor=${from}`);
    expect(one.messages.map((m) => m.data)).toEqual(['a', 'b']);
    const any = await poll(`channel=${encodeURIComponent('/chat/**')}&cursor=${from}`);
    expect(any.messages.map((m) => [m.channel, m.data])).toEqual([
      ['chat/a', 'a'],
      ['chat/a/deep', 'deep'],
      ['chat/b', 'b'],
    ]);
    const both = await poll(`channels=chat/a,other/*&channel=chat/a&cursor=${from}`);
    expect(both.messages.map((m) => m.data)).toEqual(['a', 'other']);
  });

  it('releases the waiter at once when the client goes away', async () => {
    await start();
    const controller = new AbortController();
    const pending = request(`${server.mount}/poll?channel=chat/*`, { signal: controller.signal }).catch((e: Error) => e);
    await until(() => hub.stats().connections === 1, 2_000, 'the poll to be held');
    controller.abort();
    await until(() => hub.stats().connections === 0, 2_000, 'the waiter to be released');
    expect(await pending).toMatchObject({ name: 'AbortError' });
    expect(hub.stats().connectionsByTransport).toEqual({ poll: 0 });
    // The hub keeps working for others.
    const next = poll('channel=chat/x');
    await until(() => hub.stats().connections === 1);
    await hub.publish('chat/x', 'after');
    expect((await next).messages.map((m) => m.data)).toEqual(['after']);
  });

  it('times out with no messages and a cursor that still resumes', async () => {
    await start({ longPollTimeoutMs: 150 });
    const from = await headCursor('quiet');
    const pending = poll(`channel=quiet&cursor=${from}`);
    await until(() => hub.stats().connections === 1, 2_000, 'the poll to be held');
    // A publish on another channel neither answers the poll nor counts as its timeout.
    await hub.publish('elsewhere', 'skip me');
    await turnAfterDispatch();
    expect(hub.stats().connections).toBe(1);
    expect(hub.stats().timeouts).toBe(0);
    const empty = await pending;
    expect(empty.messages).toEqual([]);
    expect(empty.cursor).toMatch(/^[a-z0-9]+-\d+$/);
    expect(hub.stats().timeouts).toBe(1);
    await hub.publish('quiet', 'now');
    const next = await poll(`channel=quiet&cursor=${empty.cursor}`);
    expect(next.messages.map((m) => m.data)).toEqual(['now']);
  });

  it('signals a gap when the cursor is older than history, then delivers what is kept', async () => {
    await start({ history: { maxCount: 5 } });
    const from = await headCursor('g');
    for (let i = 0; i < 10; i++) await hub.publish('g', i);
    const body = await poll(`channel=g&cursor=${from}`);
    expect(body.gap).toEqual({ reason: 'expired', from });
    expect(body.messages.map((m) => m.data)).toEqual([5, 6, 7, 8, 9]);
    expect(hub.stats().gaps).toBe(1);
  });

  it('signals a gap for a cursor from another epoch (a restarted server)', async () => {
    await start();
    await hub.publish('g', 'current');
    const body = await poll('channel=g&cursor=zzzzzz-3');
    expect(body.gap).toEqual({ reason: 'epoch', from: 'zzzzzz-3' });
    expect(body.messages.map((m) => m.data)).toEqual(['current']);
  });

  it('serves a per-route endpoint whose channel comes from the route', async () => {
    await start();
    const from = await headCursor('o');
    await hub.publish('orders/41', 'not this one');
    await hub.publish('orders/42', 'shipped');
    const res = await request(`${server.origin}/orders/42/updates?cursor=${from}&channel=orders/41`);
    expect(res.status).toBe(200);
    expect(res.json<PollBody>().messages.map((m) => [m.channel, m.data])).toEqual([['orders/42', 'shipped']]);
    const bad = await request(`${server.origin}/orders/${encodeURIComponent('a b')}/updates`);
    expect(bad.status).toBe(400);
    expect(bad.json().error.code).toBe('bad_channel');
  });

  it('never lets a route parameter widen the route\'s channel', async () => {
    const asked: string[] = [];
    await start({ authorize: (_action, ctx) => (asked.push(...ctx.channels), true) });
    for (const id of ['*', '**', '1/../x', '1/2']) {
      const res = await request(`${server.origin}/orders/${encodeURIComponent(id)}/updates`);
      expect([id, res.status]).toEqual([id, 400]);
      expect(res.json().error.code).toBe('bad_channel');
    }
    expect(asked).toEqual([]);
  });

  it('answers close() by ending held polls, then refuses with 503', async () => {
    await start();
    const pending = poll('channel=c');
    await until(() => hub.stats().connections === 1);
    await hub.close();
    const body = await pending;
    expect(body.messages).toEqual([]);
    const after = await request(`${server.mount}/poll?channel=c`);
    expect(after.status).toBe(503);
    expect(after.headers['retry-after']).toBe('2');
    expect(after.json().error.code).toBe('closing');
  });

  describe('bad input', () => {
    const cases: [string, string, number, string][] = [
      ['a bad channel name', '/poll?channel=a%20b', 400, 'bad_channel'],
      ['a channel with **', '/poll?channel=a/**/b', 400, 'bad_channel'],
      ['no channel', '/poll', 400, 'no_channels'],
      ['too many channels', `/poll?channels=${Array.from({ length: 33 }, (_, i) => `c${i}`).join(',')}`, 400, 'too_many_channels'],
      ['a malformed cursor', '/poll?channel=a&cursor=not-a-cursor', 400, 'bad_cursor'],
      ['an unknown route', '/nope', 404, 'not_found'],
      ['the mount root', '/', 404, 'not_found'],
    ];
    it.each(cases)('%s (%s) → %i %s', async (_what, path, status, code) => {
      await start();
      const res: HttpResult = await request(`${server.mount}${path}`);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.json()).toEqual({ error: { code, message: expect.any(String) } });
      expect(hub.stats().connections).toBe(0);
      expect((await request(`${server.origin}/app/ping`)).text).toBe('pong');
    });

    it('refuses a POST to a push route with 405', async () => {
      await start();
      const res = await request(`${server.mount}/poll?channel=a`, { method: 'POST' });
      expect(res.status).toBe(405);
      expect(res.json().error.code).toBe('method_not_allowed');
    });

    it('leaves other clients their messages while bad requests come in', async () => {
      await start();
      const pending = poll('channel=safe');
      await until(() => hub.stats().connections === 1);
      for (const path of ['/poll?channel=%00', '/poll?cursor=x', '/publish', '/poll?channel=a&cursor=a-' + '9'.repeat(40)]) {
        expect((await request(`${server.mount}${path}`)).status).toBeGreaterThanOrEqual(400);
      }
      await hub.publish('safe', 'delivered');
      expect((await pending).messages.map((m) => m.data)).toEqual(['delivered']);
    });
  });

  describe('HTTP publish', () => {
    it('is off by default', async () => {
      await start();
      const res = await postJson(`${server.mount}/publish`, { channel: 'a', data: 1 });
      expect(res.status).toBe(403);
      expect(res.json().error.code).toBe('forbidden');
      expect(hub.stats().published).toBe(0);
    });

    it('publishes through authorize when enabled', async () => {
      const asked: string[] = [];
      await start({
        httpPublish: true,
        authorize: (action, ctx) => {
          asked.push(`${action}:${ctx.channels.join(',')}`);
          return !ctx.channels.includes('locked');
        },
      });
      const pending = poll('channel=chat');
      await until(() => hub.stats().connections === 1);
      const res = await postJson(`${server.mount}/publish`, { channel: '/chat', data: { text: 'from http' } });
      expect(res.status).toBe(200);
      expect(res.json().cursor).toMatch(/-\d+$/);
      expect((await pending).messages.map((m) => m.data)).toEqual([{ text: 'from http' }]);
      const refused = await postJson(`${server.mount}/publish`, { channel: 'locked', data: 1 });
      expect(refused.status).toBe(403);
      expect(asked).toEqual(['subscribe:chat', 'publish:chat', 'publish:locked']);
    });

    const bad: [string, () => Promise<HttpResult>, number, string][] = [
      ['a form body', () => request(`${server.mount}/publish`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'channel=a&data=1' }), 415, 'unsupported_media_type'],
      ['invalid JSON', () => request(`${server.mount}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"channel":' }), 400, 'bad_json'],
      ['no data', () => postJson(`${server.mount}/publish`, { channel: 'a' }), 400, 'bad_request'],
      ['a pattern channel', () => postJson(`${server.mount}/publish`, { channel: 'a/*', data: 1 }), 400, 'bad_channel'],
      ['a foreign origin', () => postJson(`${server.mount}/publish`, { channel: 'a', data: 1 }, { origin: 'http://evil.example' }), 403, 'csrf'],
      ['an oversized body', () => postJson(`${server.mount}/publish`, { channel: 'a', data: 'x'.repeat(70_000) }), 413, 'body_too_large'],
      ['a GET', () => request(`${server.mount}/publish`), 405, 'method_not_allowed'],
    ];
    it.each(bad)('refuses %s', async (_what, send, status, code) => {
      await start({ httpPublish: true });
      const res = await send();
      expect(res.status).toBe(status);
      expect(res.json().error.code).toBe(code);
      expect(hub.stats().published).toBe(0);
    });

    it('accepts a same-origin browser publish', async () => {
      await start({ httpPublish: true });
      const host = new URL(server.origin).host;
      const res = await postJson(`${server.mount}/publish`, { channel: 'a', data: 1 }, { origin: server.origin, host });
      expect(res.status).toBe(200);
    });
  });
});

describe('one hub in an Express app and a Koa app at once', () => {
  it('delivers one publish to pollers on both', async () => {
    const hub = createComet();
    const servers = await Promise.all([serverKinds[1]!.start(hub), serverKinds[3]!.start(hub)]);
    try {
      const polls = servers.map((s) => request(`${s.mount}/poll?channel=shared`));
      await until(() => hub.stats().connections === 2);
      await hub.publish('shared', 'both');
      for (const res of await Promise.all(polls)) expect(res.json().messages[0].data).toBe('both');
    } finally {
      await hub.close();
      await Promise.all(servers.map((s) => s.close()));
    }
  });
});

describe('a burst larger than the batch limit', () => {
  it('reaches held polls in batches of at most batchLimit, all of it, in order', async () => {
    const hub = createComet({ batchLimit: 100 });
    const server = await serverKinds[3]!.start(hub);
    try {
      const polls = Array.from({ length: 5 }, () => request(`${server.mount}/poll?channel=burst`));
      await until(() => hub.stats().connections === 5);
      for (let i = 0; i < 450; i++) void hub.publish('burst', i); // one turn
      for (const res of await Promise.all(polls)) {
        const body = res.json<PollBody>();
        expect(body.messages.map((m) => m.data)).toEqual(Array.from({ length: 100 }, (_, i) => i));
        let cursor = body.cursor;
        const rest: unknown[] = [];
        while (rest.length < 350) {
          const next = (await request(`${server.mount}/poll?channel=burst&cursor=${cursor}`)).json<PollBody>();
          expect(next.messages.length).toBeLessThanOrEqual(100);
          rest.push(...next.messages.map((m) => m.data));
          cursor = next.cursor;
        }
        expect(rest).toEqual(Array.from({ length: 350 }, (_, i) => i + 100));
      }
    } finally {
      await hub.close();
      await server.close();
    }
  });
});
