import fc from 'fast-check';
import type { Broker } from '../src/log/broker';
import { createEngine } from '../src/engine/engine';
import type { Subscriber } from '../src/engine/subscriber';
import { createComet, type CometHub } from '../src/hub';
import { createMemoryBroker } from '../src/log/memory-broker';
import { resolveOptions } from '../src/options';
import { bodyOf, channel, channels, engineWith, fakeRequest, holeyBroker, recorder, settle, startStream, track, turn, wrapBroker, closedAfterEach } from './support/fakes';

// What the engine does when its broker misbehaves: a feed that skips entries, a read that fails,
// data that cannot be serialised.
const hubWith = closedAfterEach();

const CHANNELS = ['a', 'b', 'c/x', 'c/y'] as const;
const PATTERNS = [['a'], ['c/*'], ['**'], ['a', 'c/y']] as const;
const matches = (pattern: readonly string[], name: string): boolean =>
  pattern.some((p) => p === '**' || p === name || (p === 'c/*' && name.startsWith('c/')));

describe('a broker feed with holes', () => {
  it('live subscribers still get every entry once, in order', async () => {
    const publishes = fc.array(fc.record({ channel: fc.constantFrom(...CHANNELS), dropped: fc.boolean(), turnAfter: fc.boolean() }), { minLength: 1, maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(publishes, async (plan) => {
        // The last entry reaches the feed: a hole is seen only when something comes after it.
        const dropped = new Set(plan.flatMap((p, i) => (p.dropped && i < plan.length - 1 ? [i + 1] : [])));
        const { engine } = engineWith({}, holeyBroker(createMemoryBroker(), dropped));
        const seen = PATTERNS.map(() => recorder());
        PATTERNS.forEach((pattern, i) =>
          engine.subscribe({ transport: 't', channels: channels(...pattern), request: fakeRequest('GET', '/'), handlers: seen[i]!.handlers, lifetime: { ms: 1e9, reason: 'timeout' } }),
        );
        await settle(2);
        for (const { channel: name, turnAfter } of plan) {
          await engine.publish(channel(name), name);
          if (turnAfter) await turn();
        }
        await settle();
        PATTERNS.forEach((pattern, i) => {
          const expected = plan.flatMap((p, k) => (matches(pattern, p.channel) ? [k + 1] : []));
          expect(seen[i]!.entries().map((e) => e.position)).toEqual(expected);
          expect(seen[i]!.ends).toEqual([]);
        });
        await engine.close();
      }),
      { numRuns: 100 },
    );
  });
});

describe('a failing broker read', () => {
  const down = (inner: Broker = createMemoryBroker()): Broker => wrapBroker(inner, { read: () => Promise.reject(new Error('broker down')) });

  // A subscriber needs a read only when its cursor is behind what the engine dispatched: a
  // caught-up one (no cursor, or the head's) is served by the feed alone.
  it('ends the subscriber with "error", counts it in brokerErrors, and logs it', async () => {
    const log = { debug: jest.fn(), error: jest.fn() };
    const engine = createEngine({ broker: down(), options: resolveOptions({}), log });
    const from = engine.head();
    await engine.publish(channel('x'), 0);
    const seen = recorder();
    engine.subscribe({ transport: 't', channels: channels('a'), cursor: from, request: fakeRequest('GET', '/'), handlers: seen.handlers, lifetime: { ms: 1e9, reason: 'timeout' } });
    await settle();
    expect(seen.ends.map((e) => e.reason)).toEqual(['error']);
    expect(engine.stats()).toMatchObject({ connections: 0, brokerErrors: 1 });
    expect(log.error).toHaveBeenCalledWith(expect.stringContaining('read failed'), 't', expect.any(Error));
    await engine.close();
  });

  it('logs an outage once, not once per failed read, and says when reads work again', async () => {
    const log = { debug: jest.fn(), error: jest.fn() };
    let failing = true;
    const inner = createMemoryBroker();
    const flaky = wrapBroker(inner, { read: (cursor, filter, limit) => (failing ? Promise.reject(new Error('broker down')) : inner.read(cursor, filter, limit)) });
    const engine = createEngine({ broker: flaky, options: resolveOptions({}), log });
    const from = engine.head();
    await engine.publish(channel('a'), 0);
    const reader = () => {
      const seen = recorder();
      engine.subscribe({ transport: 't', channels: channels('a'), cursor: from, request: fakeRequest('GET', '/'), handlers: seen.handlers, lifetime: { ms: 1e9, reason: 'timeout' } });
      return seen;
    };
    const failed = [reader(), reader(), reader()];
    await settle();
    expect(failed.map((seen) => seen.ends.map((e) => e.reason))).toEqual([['error'], ['error'], ['error']]);
    expect(log.error).toHaveBeenCalledTimes(1);
    expect(log.debug).toHaveBeenCalledTimes(2);
    failing = false;
    const ok = reader();
    await settle();
    expect(ok.entries().map((e) => e.payload)).toEqual(['0']);
    expect(log.error).toHaveBeenCalledTimes(2);
    expect(log.error).toHaveBeenLastCalledWith('history reads work again');
    await engine.close();
  });

  it('a read that fails on a reread (new channels) ends the subscriber too', async () => {
    const { engine } = engineWith({}, down());
    const seen = recorder();
    // From now: live at once, no read.
    const subscriber = engine.subscribe({ transport: 't', channels: channels('a'), request: fakeRequest('GET', '/'), handlers: seen.handlers, lifetime: { ms: 1e9, reason: 'timeout' } }) as Subscriber;
    await settle();
    expect(seen.lives).toHaveLength(1);
    // A message it did not want moves the head past it: the channel added must be read from there.
    await engine.publish(channel('b'), 'on b');
    subscriber.setChannels(channels('a', 'b'));
    await settle();
    expect(seen.ends.map((e) => e.reason)).toEqual(['error']);
    expect(engine.stats()).toMatchObject({ connections: 0, brokerErrors: 1 });
    await engine.close();
  });

  it('answers a poll 503 unavailable, and ends a stream without an end frame', async () => {
    const hub = hubWith({ broker: down() });
    const { cursor } = await hub.publish('x', 0);
    await hub.publish('x', 1);
    const poll = track(hub.handle(fakeRequest('GET', `/poll?channel=a&cursor=${cursor}`)));
    const stream = startStream(await hub.handle(fakeRequest('GET', `/stream?channel=a&cursor=${cursor}`)));
    await settle();
    expect(bodyOf(poll.value!)).toMatchObject({ status: 503, json: { error: { code: 'unavailable' } } });
    expect(stream.ended).toBeDefined();
    expect(stream.frames()).toEqual([]); // only the prelude: the client retries from its own cursor
    expect(hub.stats()).toMatchObject({ connections: 0, brokerErrors: 2 });
  });
});

describe('publishing data that is no JSON value', () => {
  let deep: unknown = 'bottom';
  for (let i = 0; i < 5_000; i++) deep = [deep];
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;

  it('is the caller\'s bad_request, not an unavailable broker', async () => {
    const hub = hubWith({});
    for (const data of [deep, cycle, undefined, () => 1]) {
      await expect(hub.publish('a', data)).rejects.toMatchObject({ name: 'CometError', code: 'bad_request' });
    }
    expect(hub.stats().published).toBe(0);
  });

  it('over HTTP answers 400 bad_request, whether the body was parsed upstream or not', async () => {
    const hub = hubWith({ httpPublish: true });
    const headers = { 'content-type': 'application/json' };
    const text = `{"channel":"a","data":${'['.repeat(5_000)}${']'.repeat(5_000)}}`;
    for (const body of [{ parsed: { channel: 'a', data: deep } }, text]) {
      const answer = await hub.handle(fakeRequest('POST', '/publish', { headers, body }));
      expect(bodyOf(answer)).toMatchObject({ status: 400, json: { error: { code: 'bad_request' } } });
    }
    expect(hub.stats()).toMatchObject({ published: 0, errors: 2 });
  });
});
