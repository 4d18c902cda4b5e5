import { deepStrictEqual, match, ok, strictEqual } from 'node:assert/strict';
import { assertMatches } from './assert-matches';
import type { ConformanceTrial } from './conformance-trial';
import type { Frame } from './frame-parsers';
import { until } from './http-request';
import { messagesOf, receive, type OptionalBehaviour, type TransportDriver } from './transport-drivers';

/** What a transport audit runs with: the driver under test and the transports it switches to. */
export interface TransportUnderTest {
  driver: TransportDriver;
  /** The transports 'switches transport mid-session' switches to (never empty). */
  peers: readonly TransportDriver[];
}

/**
 * One rule every transport owes its clients. `for` says which transports it applies to: a poll
 * has no heartbeats, and a transport may declare an {@link OptionalBehaviour} it does not have.
 */
export interface TransportAudit {
  readonly name: string;
  readonly for?: { streaming?: true; behaviour?: OptionalBehaviour };
  run(trial: ConformanceTrial, under: TransportUnderTest): Promise<void>;
}

export const dataOf = (frames: readonly Frame[]): unknown[] => messagesOf(frames).map((m) => m.data);
export const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);
export const hasOpened = (frames: readonly Frame[]): boolean => frames.some((f) => f.type === 'open');
const last = (frames: readonly Frame[]): Frame | undefined => frames[frames.length - 1];

/** Whether `audit` applies to `driver`. */
export function appliesTo(audit: TransportAudit, driver: TransportDriver): boolean {
  if (audit.for?.streaming && !driver.streaming) return false;
  return !audit.for?.behaviour || !driver.without?.includes(audit.for.behaviour);
}

/** Publishes big messages until the hub cuts a slow client off (or 2,000 went out); returns how many. */
async function floodUntilCutOff(trial: ConformanceTrial, channel: string, message: (i: number) => unknown): Promise<number> {
  let published = 0;
  for (; published < 2_000 && trial.hub.stats().slowClientCutoffs === 0; published++) {
    await trial.hub.publish(channel, message(published));
    await new Promise((resolve) => setImmediate(resolve));
  }
  strictEqual(trial.hub.stats().slowClientCutoffs, 1, 'the slow client was cut off');
  return published;
}

/** The rules of every transport, in the order the suite runs them. */
export const transportAudits: readonly TransportAudit[] = [
  {
    name: 'delivers messages in order',
    async run(trial, { driver }) {
      await trial.start();
      const from = await trial.head();
      const got = receive(driver, trial.server.mount, 'channel=feed', from, 30);
      await trial.publishAll('feed', range(0, 30));
      deepStrictEqual(dataOf((await got).messages), range(0, 30));
    },
  },
  {
    name: 'resumes from a cursor after messages were missed, each once',
    async run(trial, { driver }) {
      await trial.start();
      const from = await trial.head();
      await trial.publishAll('feed', range(0, 10));
      await trial.hub.publish('other', 'not mine');
      const first = await receive(driver, trial.server.mount, 'channel=feed', from, 10);
      deepStrictEqual(dataOf(first.messages), range(0, 10));
      await trial.publishAll('feed', range(10, 15));
      const second = await receive(driver, trial.server.mount, 'channel=feed', first.cursor, 5);
      deepStrictEqual(dataOf(second.messages), range(10, 15));
    },
  },
  {
    name: 'switches transport mid-session with nothing lost or repeated',
    async run(trial, { driver, peers }) {
      await trial.start();
      for (const next of peers) {
        const from = await trial.head();
        await trial.publishAll('chat', ['a', 'b', 'c']);
        const first = await receive(driver, trial.server.mount, 'channel=chat', from, 3);
        await trial.publishAll('chat', ['d', 'e']); // published while disconnected
        const second = await receive(next, trial.server.mount, 'channel=chat', first.cursor, 2);
        deepStrictEqual([...dataOf(first.messages), ...dataOf(second.messages)], ['a', 'b', 'c', 'd', 'e'], `switching to ${next.label ?? next.name}`);
      }
    },
  },
  {
    name: 'signals a gap when the cursor is older than history, then sends what is kept',
    async run(trial, { driver }) {
      await trial.start({ history: { maxCount: 5 } });
      const from = await trial.head();
      await trial.publishAll('g', range(0, 12));
      const { frames } = await receive(driver, trial.server.mount, 'channel=g', from, 5);
      const gap = frames.find((f) => f.type === 'gap');
      assertMatches(gap, { reason: 'expired', from }, 'the gap frame');
      ok(frames.indexOf(gap!) < frames.findIndex((f) => f.type === 'message'), 'the gap comes before the messages');
      deepStrictEqual(dataOf(frames), range(7, 12));
      strictEqual(trial.hub.stats().gaps, 1);
    },
  },
  {
    name: 'matches wildcards and only what was asked',
    async run(trial, { driver }) {
      await trial.start();
      const from = await trial.head();
      await trial.publishAll('room/a', ['a']);
      await trial.publishAll('room/a/deep', ['deep']);
      await trial.publishAll('else/a', ['else']);
      await trial.publishAll('room/b', ['b']);
      const { messages } = await receive(driver, trial.server.mount, 'channel=room/*', from, 2);
      deepStrictEqual(messages.map((m) => [m.channel, m.data]), [['room/a', 'a'], ['room/b', 'b']]);
    },
  },
  {
    name: 'releases everything when the client aborts',
    async run(trial, { driver }) {
      await trial.start();
      const pending = trial.connect(driver, 'channel=quiet');
      await until(() => trial.hub.stats().connections === 1, 5_000, 'the request to be held');
      if (driver.streaming) {
        const connection = await pending;
        await connection.waitFor(hasOpened);
        connection.close();
      } else {
        // A held poll has no response yet: abort the socket by closing the server side's view of it.
        trial.server.server.closeAllConnections();
      }
      await until(() => trial.hub.stats().connections === 0, 5_000, 'the subscriber to be released');
      await pending.catch(() => undefined);
      // The hub still serves others.
      const from = await trial.head();
      const got = receive(driver, trial.server.mount, 'channel=quiet', from, 1);
      await trial.publishAll('quiet', ['still works']);
      deepStrictEqual(dataOf((await got).messages), ['still works']);
    },
  },
  {
    name: 'gives many subscribers on one channel the same messages',
    async run(trial, { driver }) {
      await trial.start();
      const from = await trial.head();
      const clients = range(0, 15).map(() => receive(driver, trial.server.mount, 'channel=fan', from, 10));
      await trial.publishAll('fan', range(0, 10));
      for (const got of await Promise.all(clients)) deepStrictEqual(dataOf(got.messages), range(0, 10));
    },
  },
  {
    name: 'survives compression middleware in front, still delivering at once',
    async run(trial, { driver }) {
      await trial.start({}, { compress: true });
      const from = await trial.head();
      await trial.publishAll('z', ['before']);
      const connection = await trial.connect(driver, `channel=z&cursor=${from}`, { headers: { 'accept-encoding': 'gzip' } });
      await connection.waitFor((f) => dataOf(f).includes('before'));
      if (driver.streaming) {
        await connection.waitFor(hasOpened);
        await trial.hub.publish('z', 'live');
        await connection.waitFor((f) => dataOf(f).includes('live'), 5_000, 'the live message through compression');
        strictEqual(connection.isEnded(), false);
      }
    },
  },
  {
    name: 'refuses bad channels and cursors with a clear error',
    async run(trial, { driver }) {
      await trial.start();
      for (const query of ['channel=a%20b', 'channel=ok&cursor=bogus', '']) {
        const connection = await trial.connect(driver, query);
        await connection.ended;
        if (driver.name === 'jsonp') {
          strictEqual(connection.status, 200);
          const answer = connection.frames[0]?.data as { error?: { code?: unknown }; status?: number } | undefined;
          strictEqual(typeof answer?.error?.code, 'string', `an error code in ${JSON.stringify(answer)}`);
          strictEqual(answer?.status, 400);
        } else {
          strictEqual(connection.status, 400);
          match(JSON.parse(connection.raw()).error.code, /^(bad_channel|bad_cursor|no_channels)$/);
        }
      }
      strictEqual(trial.hub.stats().connections, 0);
    },
  },
  {
    name: 'sends heartbeats while idle',
    for: { streaming: true },
    async run(trial, { driver }) {
      await trial.start({ heartbeatMs: 40 });
      const connection = await trial.connect(driver, 'channel=idle');
      await connection.waitFor((f) => f.filter((x) => x.type === 'heartbeat').length >= 2, 5_000, 'two heartbeats');
      assertMatches(connection.frames.find((f) => f.type === 'open'), { heartbeatMs: 40 }, 'the open frame');
    },
  },
  {
    name: 'ends after the byte budget, and its cursor resumes without loss',
    for: { streaming: true, behaviour: 'byte-budget' },
    async run(trial, { driver }) {
      // Each transport's own rule may differ (SSE has none): set this one's for the test.
      await trial.start({ streams: { byteBudget: 8 * 1024 }, endRules: { [driver.name]: { byteBudget: 8 * 1024 } } });
      const from = await trial.head();
      const values = range(0, 60).map((i) => ({ i, pad: 'x'.repeat(200) }));
      await trial.publishAll('big', values);
      const first = await trial.connect(driver, `channel=big&cursor=${from}`);
      await first.ended;
      const end = last(first.frames)!;
      assertMatches(end, { type: 'end', reason: 'budget' }, 'the last frame');
      ok(first.raw().length < 8 * 1024 + 2_000, `${first.raw().length} bytes within the budget and one message`);
      const rest = await receive(driver, trial.server.mount, 'channel=big', end.cursor, 60 - messagesOf(first.frames).length);
      deepStrictEqual([...dataOf(first.frames), ...dataOf(rest.messages)], values);
    },
  },
  {
    name: 'ends at its maximum age with a cursor to resume from',
    for: { streaming: true, behaviour: 'max-age' },
    async run(trial, { driver }) {
      await trial.start({ streams: { maxAgeMs: 150 } });
      const from = await trial.head();
      const connection = await trial.connect(driver, `channel=old&cursor=${from}`);
      await connection.ended;
      assertMatches(last(connection.frames), { type: 'end', reason: 'age' }, 'the last frame');
      strictEqual(trial.hub.stats().connections, 0);
    },
  },
  {
    name: 'ends with "closing" on shutdown',
    for: { streaming: true },
    async run(trial, { driver }) {
      await trial.start();
      const connection = await trial.connect(driver, 'channel=bye');
      await connection.waitFor(hasOpened);
      await trial.hub.close();
      await connection.ended;
      assertMatches(last(connection.frames), { type: 'end', reason: 'closing' }, 'the last frame');
    },
  },
  {
    name: 'cuts off a client that does not read, which then resumes by cursor',
    for: { streaming: true },
    async run(trial, { driver }) {
      await trial.start({ streams: { byteBudget: 1e9, maxBufferedBytes: 64 * 1024 }, endRules: { [driver.name]: { byteBudget: 1e9 } } });
      const from = await trial.head();
      const connection = await trial.connect(driver, `channel=flood&cursor=${from}`);
      await connection.waitFor(hasOpened);
      connection.pause(); // a reader that stalls: the server's buffers fill
      const big = 'y'.repeat(16 * 1024);
      let published = await floodUntilCutOff(trial, 'flood', (i) => ({ i, big }));
      await until(() => trial.hub.stats().connections === 0);
      for (let i = 0; i < 5; i++) await trial.hub.publish('flood', { i: published++, big });
      connection.resume();
      await connection.ended;
      const end = last(connection.frames)!;
      assertMatches(end, { type: 'end', reason: 'slow' }, 'the last frame');
      const before = messagesOf(connection.frames).length;
      const rest = await receive(driver, trial.server.mount, 'channel=flood', end.cursor, published - before);
      const seen = [...messagesOf(connection.frames), ...rest.messages].map((m) => (m.data as { i: number }).i);
      deepStrictEqual(seen, range(0, published));
    },
  },
  {
    name: 'disconnects a cut-off client that still reads nothing',
    for: { streaming: true },
    async run(trial, { driver }) {
      await trial.start({ streams: { byteBudget: 1e9, maxBufferedBytes: 64 * 1024, drainTimeoutMs: 100 }, endRules: { [driver.name]: { byteBudget: 1e9 } } });
      const connection = await trial.connect(driver, 'channel=stall');
      await connection.waitFor(hasOpened);
      connection.pause();
      const big = 'z'.repeat(16 * 1024);
      await floodUntilCutOff(trial, 'stall', () => big);
      // A stalled client does not even notice: the server's side of the socket is gone.
      let sockets = 1;
      const count = (): void => void trial.server.server.getConnections((_error, n) => (sockets = n));
      count();
      await until(() => (count(), sockets === 0), 5_000, 'the server to drop the stalled socket');
    },
  },
  {
    name: 'sends the stream headers that stop buffering',
    for: { streaming: true, behaviour: 'stream-headers' },
    async run(trial, { driver }) {
      await trial.start();
      const connection = await trial.connect(driver, 'channel=h');
      strictEqual(connection.status, 200);
      strictEqual(connection.headers['cache-control'], 'no-cache, no-transform');
      // nginx takes X-Accel-Buffering for itself (it is addressed to it) and passes no copy on.
      if (!trial.behindProxy) strictEqual(connection.headers['x-accel-buffering'], 'no');
    },
  },
];
