import compression from 'compression';
import koaCompress from 'koa-compress';
import { createComet, type Broker, type CometHub, type CometOptions } from '@cometkit/core';
import { request, until } from './http';
import type { AppSetup, RunningServer, ServerKind } from './servers';
import { drivers as builtinDrivers, messagesOf, receive, type Connection, type Frame, type OptionalBehaviour, type TransportDriver } from './transport-drivers';

/**
 * A broker the conformance suite runs on; `undefined` from `create` means the hub's default. A
 * broker it makes (synchronously or not) is closed after each test, as the hub leaves it open.
 */
export interface BrokerKind {
  name: string;
  create(history?: CometOptions['history']): Broker | undefined | Promise<Broker | undefined>;
}

/** The hub's own memory broker. */
export const memoryBroker: BrokerKind = { name: 'memory', create: () => undefined };

/** What the conformance suite runs: every driver on every server kind on every broker. */
export interface ConformanceSetup {
  kinds: readonly ServerKind[];
  brokers?: readonly BrokerKind[];
  drivers: readonly TransportDriver[];
  /** The transports 'switches transport mid-session' switches to. Default: the other `drivers`. */
  peers?: readonly TransportDriver[];
  /** Options every hub of the suite gets (a custom transport, say). */
  hubOptions?: CometOptions;
}

/**
 * The behaviour every transport owes its clients, as a suite any test file can run: every
 * transport (driver) on every server kind (Express 4 and 5, Koa 2 and 3, withComet, …) and every
 * broker, over real sockets.
 */
const dataOf = (frames: Frame[]): unknown[] => messagesOf(frames).map((m) => m.data);
const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

export function describeConformance({ kinds, brokers = [memoryBroker], drivers, peers, hubOptions = {} }: ConformanceSetup): void {
  describe.each(kinds.flatMap((kind) => brokers.map((broker) => ({ kind, broker, name: `${kind.name} (${broker.name} broker)` }))))('conformance on $name', ({ kind, broker }) => {
    let hub: CometHub;
    let server: RunningServer;
    let made: Broker | undefined;
    const connections: Connection[] = [];

    async function start(options: CometOptions = {}, setup?: AppSetup): Promise<void> {
      made = await broker.create(options.history);
      hub = createComet({ longPollTimeoutMs: 3_000, ...hubOptions, ...options, broker: made });
      server = await kind.start(hub, setup);
    }
    afterEach(async () => {
      connections.splice(0).forEach((c) => c.close());
      await hub?.close();
      await server?.close();
      await made?.close();
      made = undefined;
    });
    const head = async (): Promise<string> => (await hub.publish('setup/head', null)).cursor;
    async function publishAll(channel: string, values: unknown[]): Promise<void> {
      for (const value of values) {
        await hub.publish(channel, value);
        await new Promise((r) => setImmediate(r));
      }
    }

    describe.each(drivers.map((driver) => ({ driver, title: driver.label ?? driver.name })))('$title', ({ driver }) => {
      const has = (behaviour: OptionalBehaviour): boolean => !driver.without?.includes(behaviour);
      const connect = async (query: string, options?: Parameters<TransportDriver['connect']>[2]): Promise<Connection> => {
        const connection = await driver.connect(server.mount, query, options);
        connections.push(connection);
        return connection;
      };

      it('delivers messages in order', async () => {
        await start();
        const from = await head();
        const got = receive(driver, server.mount, 'channel=feed', from, 30);
        await publishAll('feed', range(0, 30));
        expect(dataOf((await got).messages)).toEqual(range(0, 30));
      });

      it('resumes from a cursor after messages were missed, each once', async () => {
        await start();
        const from = await head();
        await publishAll('feed', range(0, 10));
        await hub.publish('other', 'not mine');
        const first = await receive(driver, server.mount, 'channel=feed', from, 10);
        expect(dataOf(first.messages)).toEqual(range(0, 10));
        await publishAll('feed', range(10, 15));
        const second = await receive(driver, server.mount, 'channel=feed', first.cursor, 5);
        expect(dataOf(second.messages)).toEqual(range(10, 15));
      });

      it('switches transport mid-session with nothing lost or repeated', async () => {
        await start();
        for (const next of (peers ?? drivers).filter((d) => d !== driver)) {
          const from = await head();
          await publishAll('chat', ['a', 'b', 'c']);
          const first = await receive(driver, server.mount, 'channel=chat', from, 3);
          await publishAll('chat', ['d', 'e']); // published while disconnected
          const second = await receive(next, server.mount, 'channel=chat', first.cursor, 2);
          expect([...dataOf(first.messages), ...dataOf(second.messages)]).toEqual(['a', 'b', 'c', 'd', 'e']);
        }
      });

      it('signals a gap when the cursor is older than history, then sends what is kept', async () => {
        await start({ history: { maxCount: 5 } });
        const from = await head();
        await publishAll('g', range(0, 12));
        const { frames } = await receive(driver, server.mount, 'channel=g', from, 5);
        const gap = frames.find((f) => f.type === 'gap');
        expect(gap).toMatchObject({ reason: 'expired', from });
        expect(frames.indexOf(gap!)).toBeLessThan(frames.findIndex((f) => f.type === 'message'));
        expect(dataOf(frames)).toEqual(range(7, 12));
        expect(hub.stats().gaps).toBe(1);
      });

      it('matches wildcards and only what was asked', async () => {
        await start();
        const from = await head();
        await publishAll('room/a', ['a']);
        await publishAll('room/a/deep', ['deep']);
        await publishAll('else/a', ['else']);
        await publishAll('room/b', ['b']);
        const { messages } = await receive(driver, server.mount, 'channel=room/*', from, 2);
        expect(messages.map((m) => [m.channel, m.data])).toEqual([['room/a', 'a'], ['room/b', 'b']]);
      });

      it('releases everything when the client aborts', async () => {
        await start();
        const pending = connect('channel=quiet');
        await until(() => hub.stats().connections === 1, 2_000, 'the request to be held');
        if (driver.streaming) {
          const connection = await pending;
          await connection.waitFor((f) => f.some((x) => x.type === 'open'));
          connection.close();
        } else {
          // A held poll has no response yet: abort the socket by closing the server side's view of it.
          server.server.closeAllConnections();
        }
        await until(() => hub.stats().connections === 0, 2_000, 'the subscriber to be released');
        await pending.catch(() => undefined);
        // The hub still serves others.
        const from = await head();
        const got = receive(driver, server.mount, 'channel=quiet', from, 1);
        await publishAll('quiet', ['still works']);
        expect(dataOf((await got).messages)).toEqual(['still works']);
      });

      it('gives many subscribers on one channel the same messages', async () => {
        await start();
        const from = await head();
        const clients = range(0, 15).map(() => receive(driver, server.mount, 'channel=fan', from, 10));
        await publishAll('fan', range(0, 10));
        for (const got of await Promise.all(clients)) expect(dataOf(got.messages)).toEqual(range(0, 10));
      });

      it('survives compression middleware in front, still delivering at once', async () => {
        await start({}, {
          express: (app) => app.use(compression({ threshold: 0 })),
          koa: (app) => app.use(koaCompress({ threshold: 0, br: false })),
        });
        const from = await head();
        await publishAll('z', ['before']);
        const connection = await connect(`channel=z&cursor=${from}`, { headers: { 'accept-encoding': 'gzip' } });
        await connection.waitFor((f) => dataOf(f).includes('before'));
        if (driver.streaming) {
          await connection.waitFor((f) => f.some((x) => x.type === 'open'));
          await hub.publish('z', 'live');
          await connection.waitFor((f) => dataOf(f).includes('live'), 2_000, 'the live message through compression');
          expect(connection.isEnded()).toBe(false);
        }
      });

      it('refuses bad channels and cursors with a clear error', async () => {
        await start();
        for (const query of ['channel=a%20b', 'channel=ok&cursor=bogus', '']) {
          const connection = await connect(query);
          await connection.ended;
          if (driver.name === 'jsonp') {
            expect(connection.status).toBe(200);
            expect(connection.frames[0]!.data).toMatchObject({ error: { code: expect.any(String) }, status: 400 });
          } else {
            expect(connection.status).toBe(400);
            expect(JSON.parse(connection.raw()).error.code).toMatch(/^(bad_channel|bad_cursor|no_channels)$/);
          }
        }
        expect(hub.stats().connections).toBe(0);
      });

      if (driver.streaming) {
        it('sends heartbeats while idle', async () => {
          await start({ heartbeatMs: 40 });
          const connection = await connect('channel=idle');
          await connection.waitFor((f) => f.filter((x) => x.type === 'heartbeat').length >= 2, 2_000, 'two heartbeats');
          expect(connection.frames.find((f) => f.type === 'open')).toMatchObject({ heartbeatMs: 40 });
        });

        if (has('byte-budget')) it('ends after the byte budget, and its cursor resumes without loss', async () => {
          // Each transport's own rule may differ (SSE has none): set this one's for the test.
          await start({ streams: { byteBudget: 8 * 1024 }, endRules: { [driver.name]: { byteBudget: 8 * 1024 } } });
          const from = await head();
          const values = range(0, 60).map((i) => ({ i, pad: 'x'.repeat(200) }));
          await publishAll('big', values);
          const first = await connect(`channel=big&cursor=${from}`);
          await first.ended;
          const end = first.frames[first.frames.length - 1]!;
          expect(end).toMatchObject({ type: 'end', reason: 'budget' });
          expect(first.raw().length).toBeLessThan(8 * 1024 + 2_000);
          const rest = await receive(driver, server.mount, 'channel=big', end.cursor, 60 - messagesOf(first.frames).length);
          expect([...dataOf(first.frames), ...dataOf(rest.messages)]).toEqual(values);
        });

        if (has('max-age')) it('ends at its maximum age with a cursor to resume from', async () => {
          await start({ streams: { maxAgeMs: 150 } });
          const from = await head();
          const connection = await connect(`channel=old&cursor=${from}`);
          await connection.ended;
          expect(connection.frames[connection.frames.length - 1]).toMatchObject({ type: 'end', reason: 'age' });
          expect(hub.stats().connections).toBe(0);
        });

        it('ends with "closing" on shutdown', async () => {
          await start();
          const connection = await connect('channel=bye');
          await connection.waitFor((f) => f.some((x) => x.type === 'open'));
          await hub.close();
          await connection.ended;
          expect(connection.frames[connection.frames.length - 1]).toMatchObject({ type: 'end', reason: 'closing' });
        });

        it('cuts off a client that does not read, which then resumes by cursor', async () => {
          await start({ streams: { byteBudget: 1e9, maxBufferedBytes: 64 * 1024 }, endRules: { [driver.name]: { byteBudget: 1e9 } } });
          const from = await head();
          const connection = await connect(`channel=flood&cursor=${from}`);
          await connection.waitFor((f) => f.some((x) => x.type === 'open'));
          connection.pause(); // a reader that stalls: the server's buffers fill
          const big = 'y'.repeat(16 * 1024);
          let published = 0;
          for (; published < 2_000 && hub.stats().slowClientCutoffs === 0; published++) {
            await hub.publish('flood', { i: published, big });
            await new Promise((r) => setImmediate(r));
          }
          expect(hub.stats().slowClientCutoffs).toBe(1);
          await until(() => hub.stats().connections === 0);
          for (let i = 0; i < 5; i++) await hub.publish('flood', { i: published++, big });
          connection.resume();
          await connection.ended;
          const end = connection.frames[connection.frames.length - 1]!;
          expect(end).toMatchObject({ type: 'end', reason: 'slow' });
          const before = messagesOf(connection.frames).length;
          const rest = await receive(driver, server.mount, 'channel=flood', end.cursor, published - before);
          const seen = [...messagesOf(connection.frames), ...rest.messages].map((m) => (m.data as { i: number }).i);
          expect(seen).toEqual(range(0, published));
        });

        it('disconnects a cut-off client that still reads nothing', async () => {
          await start({ streams: { byteBudget: 1e9, maxBufferedBytes: 64 * 1024, drainTimeoutMs: 100 }, endRules: { [driver.name]: { byteBudget: 1e9 } } });
          const connection = await connect('channel=stall');
          await connection.waitFor((f) => f.some((x) => x.type === 'open'));
          connection.pause();
          const big = 'z'.repeat(16 * 1024);
          for (let i = 0; i < 2_000 && hub.stats().slowClientCutoffs === 0; i++) {
            await hub.publish('stall', big);
            await new Promise((r) => setImmediate(r));
          }
          expect(hub.stats().slowClientCutoffs).toBe(1);
          // A stalled client does not even notice: the server's side of the socket is gone.
          const sockets = (): Promise<number> => new Promise((r) => server.server.getConnections((_e, n) => r(n)));
          expect(await sockets()).toBe(1);
          const deadline = Date.now() + 3_000;
          while ((await sockets()) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
          expect(await sockets()).toBe(0);
        });

        if (has('stream-headers')) it('sends the stream headers that stop buffering', async () => {
          await start();
          const connection = await connect('channel=h');
          expect(connection.status).toBe(200);
          expect(connection.headers['cache-control']).toBe('no-cache, no-transform');
          // nginx takes X-Accel-Buffering for itself (it is addressed to it) and passes no copy on.
          if (!kind.proxy) expect(connection.headers['x-accel-buffering']).toBe('no');
        });
      }
    });

    if (!builtinDrivers.every((d) => drivers.includes(d))) return;

    describe('SSE specifics', () => {
      const sse = drivers.find((d) => d.name === 'sse')!;
      it('resumes from Last-Event-ID over the query cursor, announces retry, pads on request', async () => {
        await start({ sseRetryMs: 3_000 });
        const old = await head();
        await publishAll('s', [1, 2]);
        const newer = (await hub.publish('s', 3)).cursor;
        await publishAll('s', [4]);
        const connection = await sse.connect(server.mount, `channel=s&cursor=${old}`, {
          headers: { 'last-event-id': newer },
          extra: 'padding=1',
        });
        connections.push(connection);
        await connection.waitFor((f) => f.some((x) => x.type === 'open'));
        expect(dataOf(connection.frames)).toEqual([4]);
        expect(connection.headers['content-type']).toBe('text/event-stream; charset=utf-8');
        expect(connection.raw().startsWith(`:${' '.repeat(2048)}\nretry: 3000\n\n`)).toBe(true);
      });
    });

    describe('per-route stream endpoint', () => {
      it('streams the route\'s channel over SSE and nothing else', async () => {
        await start();
        const sse = drivers.find((d) => d.name === 'sse')!;
        const from = await head();
        await publishAll('orders/7', ['packed']);
        await publishAll('orders/8', ['other order']);
        const connection = await sse.openUrl(`${server.origin}/orders/7/events?cursor=${from}&channel=orders/8`);
        connections.push(connection);
        await connection.waitFor((f) => f.some((x) => x.type === 'open'));
        await publishAll('orders/7', ['shipped']);
        await connection.waitFor((f) => messagesOf(f).length === 2);
        expect(messagesOf(connection.frames).map((m) => [m.channel, m.data])).toEqual([
          ['orders/7', 'packed'],
          ['orders/7', 'shipped'],
        ]);
      });
    });

    describe('XHR streaming specifics', () => {
      it('opens with a 2 KB prelude line', async () => {
        await start();
        const stream = drivers.find((d) => d.name === 'stream')!;
        const connection = await stream.connect(server.mount, 'channel=p');
        connections.push(connection);
        await connection.waitFor((f) => f.some((x) => x.type === 'open'));
        expect(connection.raw().indexOf('\n')).toBeGreaterThanOrEqual(2048);
        expect(connection.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
        expect(connection.headers['x-content-type-options']).toBe('nosniff');
      });
    });

    describe('script safety', () => {
      const evil = '</script><script>alert(1)</script><!-- \u2028 \u2029 & >';
      it.each(['jsonp', 'iframe'])('%s: a message cannot break out of the script', async (name) => {
        await start();
        const driver = drivers.find((d) => d.name === name)!;
        const from = await head();
        await hub.publish('x', evil);
        const connection = await driver.connect(server.mount, `channel=x&cursor=${from}`);
        connections.push(connection);
        await connection.waitFor((f) => messagesOf(f).length === 1);
        const raw = connection.raw();
        expect(raw).not.toContain('\u2028');
        expect(raw).not.toContain('\u2029');
        expect(dataOf(connection.frames)).toEqual([evil]);
        if (name === 'iframe') {
          expect(raw).not.toContain('alert(1)</script>');
          expect(raw.split('<!--').length - 1).toBe(1); // only the padding comment
          expect(raw.split('</script>').length).toBe(raw.split('<script>').length);
          expect(connection.headers['x-frame-options']).toBe('SAMEORIGIN');
        } else {
          expect(raw.startsWith('/**/typeof cometkit.cb_1===\'function\'&&cometkit.cb_1(')).toBe(true);
          expect(connection.headers['content-type']).toBe('application/javascript; charset=utf-8');
          expect(connection.headers['x-content-type-options']).toBe('nosniff');
          expect(connection.headers['cache-control']).toBe('no-cache, no-store');
          expect(connection.headers['content-disposition']).toBe('attachment');
        }
      });

      const badNames = ['', 'alert(1)', 'a..b', '1abc', 'a-b', '<script>', 'a.'.repeat(20) + 'a' + 'b'.repeat(30), 'x'.repeat(65), 'a b'];
      it.each(['jsonp', 'iframe'])('%s: refuses bad callback names with 400, before any other error', async (name) => {
        await start();
        for (const callback of badNames) {
          const res = await request(`${server.mount}/${name}?channel=a&callback=${encodeURIComponent(callback)}`);
          expect(res.status).toBe(400);
          expect(res.json().error.code).toBe('bad_callback');
        }
        for (const [method, query] of [['POST', 'channel=a'], ['GET', 'channel=a%20b'], ['GET', '']]) {
          const res = await request(`${server.mount}/${name}?${query}&callback=bad-name`, { method });
          expect([res.status, res.json().error.code]).toEqual([400, 'bad_callback']);
        }
        expect(hub.stats().connections).toBe(0);
      });

      it('accepts a callback path of 64 characters', async () => {
        await start({ longPollTimeoutMs: 50 });
        const name = 'a'.repeat(31) + '.' + 'b'.repeat(32);
        const res = await request(`${server.mount}/jsonp?channel=a&callback=${name}`);
        expect(res.status).toBe(200);
      });
    });

    describe('CORS', () => {
      const origin = 'http://app.example';
      it('is off unless origins are configured', async () => {
        await start({ longPollTimeoutMs: 50 });
        const res = await request(`${server.mount}/poll?channel=a`, { headers: { origin } });
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      });

      it('grants listed origins, answers preflight, and ignores others', async () => {
        await start({ longPollTimeoutMs: 50, cors: { origins: [origin] }, httpPublish: true });
        const poll = await request(`${server.mount}/poll?channel=a`, { headers: { origin } });
        expect(poll.headers['access-control-allow-origin']).toBe(origin);
        expect(poll.headers.vary).toMatch(/Origin/);
        const other = await request(`${server.mount}/poll?channel=a`, { headers: { origin: 'http://evil.example' } });
        expect(other.headers['access-control-allow-origin']).toBeUndefined();
        const pre = await request(`${server.mount}/publish`, {
          method: 'OPTIONS',
          headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
        });
        expect(pre.status).toBe(204);
        expect(pre.headers['access-control-allow-methods']).toMatch(/POST/);
        expect(pre.headers['access-control-allow-headers']).toMatch(/Content-Type/);
        for (const name of ['sse', 'stream'] as const) {
          const stream = drivers.find((d) => d.name === name)!;
          const connection = await stream.connect(server.mount, 'channel=a', { headers: { origin } });
          connections.push(connection);
          expect(connection.headers['access-control-allow-origin']).toBe(origin);
          // The grant must not cost the stream itself.
          await connection.waitFor((f) => f.some((x) => x.type === 'open'), 2_000, `${name} to open through CORS`);
          await hub.publish('a', name);
          await connection.waitFor((f) => dataOf(f).includes(name), 2_000, `a message through CORS on ${name}`);
        }
        const published = await request(`${server.mount}/publish`, {
          method: 'POST',
          headers: { origin, 'content-type': 'application/json' },
          body: JSON.stringify({ channel: 'a', data: 1 }),
        });
        expect(published.status).toBe(200);
      });
    });
  });
}
