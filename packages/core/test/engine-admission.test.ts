import { MAX_EMPTY_GROUPS, type Engine, type SubscribeSpec } from '../src/engine/engine';
import type { Subscriber, SubscriberHandlers } from '../src/engine/subscriber';
import { isCometError } from '../src/errors';
import { createComet, type CometHub } from '../src/hub';
import { json } from '../src/responses';
import { SubscriptionIndex } from '../src/engine/subscription-index';
import type { Transport } from '../src/http/transport';
import { bodyOf, channel, channels, engineWith, fakeRequest, gate, recorder, settle, startStream, track, type FakeRequest } from './support/fakes';

// Admission (shutdown, the connection limit, authorize) and release, inside the engine: every
// entry point gets them, and no transport can leak a subscriber.
beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] }));
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});
function hubWith(options: Parameters<typeof createComet>[0] = {}): CometHub {
  const hub = createComet(options);
  cleanups.push(() => hub.close());
  return hub;
}
function engineOf(options: Parameters<typeof engineWith>[0] = {}): Engine {
  const { engine } = engineWith(options);
  cleanups.push(() => engine.close());
  return engine;
}

type Subscribed = ReturnType<Engine['subscribe']>;
const spec = (request: FakeRequest, handlers: SubscriberHandlers, more: Partial<SubscribeSpec> = {}): SubscribeSpec => ({
  transport: 'test',
  channels: channels('a'),
  request,
  signal: request.signal,
  handlers,
  lifetime: { ms: 10_000, reason: 'timeout' },
  ...more,
});
const errorCode = async (subscribed: Subscribed): Promise<string | undefined> => {
  const result = await subscribed;
  return isCometError(result) ? result.code : undefined;
};

describe('shutdown', () => {
  it('ends every subscriber with "closing", whatever its transport, and refuses new ones', async () => {
    const hub = hubWith();
    const poll = track(hub.handle(fakeRequest('GET', '/poll?channel=a')));
    const stream = startStream(await hub.handle(fakeRequest('GET', '/stream?channel=a')));
    const direct = recorder();
    hub.engine.subscribe(spec(fakeRequest('GET', '/'), direct.handlers, { once: false }));
    await settle();
    expect(hub.stats().connections).toBe(3);

    await hub.close();
    expect(hub.stats().connections).toBe(0);
    expect(bodyOf(poll.value!)).toMatchObject({ status: 200, json: { messages: [] } });
    expect((poll.value as { headers: Record<string, string> }).headers.connection).toBe('close');
    expect(stream.frames().at(-1)).toMatchObject({ type: 'end', reason: 'closing' });
    expect(stream.ended).toEqual(expect.objectContaining({ close: true }));
    expect(direct.ends.map((e) => e.reason)).toEqual(['closing']);

    expect(await errorCode(hub.engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers)))).toBe('closing');
    for (const url of ['/poll?channel=a', '/stream?channel=a', '/sse?channel=a']) {
      expect(bodyOf(await hub.handle(fakeRequest('GET', url)))).toMatchObject({ status: 503, json: { error: { code: 'closing' } } });
    }
    expect(hub.stats().connections).toBe(0);
  });

  it('waits for requests still being authorized, and refuses them when their verdict comes', async () => {
    const verdict = gate<boolean>();
    const engine = engineOf({ authorize: () => verdict.promise });
    const pending = engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers));
    const closed = track(engine.close());
    await settle();
    expect(closed.done).toBe(false);
    verdict.open(true);
    expect(await errorCode(pending)).toBe('closing');
    await settle();
    expect(closed.done).toBe(true);
    expect(engine.stats().connections).toBe(0);
  });

  it('gives up waiting for an authorize that never answers after closeTimeoutMs', async () => {
    const engine = engineOf({ authorize: () => new Promise<boolean>(() => undefined), closeTimeoutMs: 2_000 });
    void engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers));
    const closed = track(engine.close());
    jest.advanceTimersByTime(1_999);
    await settle();
    expect(closed.done).toBe(false);
    jest.advanceTimersByTime(1);
    await settle();
    expect(closed.done).toBe(true);
  });
});

describe('the connection limit', () => {
  it('counts requests still awaiting authorize', async () => {
    const verdict = gate<boolean>();
    const engine = engineOf({ limits: { maxConnections: 2 }, authorize: () => verdict.promise });
    const first = engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers));
    const second = engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers));
    expect(first).toBeInstanceOf(Promise);
    // Refused at once, before its own authorize is even asked.
    const third = engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers));
    expect(isCometError(third) && third.code).toBe('too_many_connections');
    expect(engine.stats().connections).toBe(0);

    verdict.open(true);
    const admitted = [await first, await second] as Subscriber[];
    expect(admitted.some(isCometError)).toBe(false);
    expect(engine.stats().connections).toBe(2);
    expect(await errorCode(engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers)))).toBe('too_many_connections');

    admitted[0]!.end('gone');
    expect(await errorCode(engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers)))).toBeUndefined();
  });

  it('frees the slot of a request refused by authorize, or whose authorize threw', async () => {
    const verdicts = [gate<boolean>(), gate<boolean>()];
    let asked = 0;
    const engine = engineOf({ limits: { maxConnections: 1 }, authorize: () => verdicts[asked++]?.promise ?? true });
    const refused = engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers));
    expect(await errorCode(engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers)))).toBe('too_many_connections');
    verdicts[0]!.open(false);
    expect(await errorCode(refused)).toBe('forbidden');

    const threw = engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers));
    verdicts[1]!.fail(new Error('the app\'s bug'));
    await expect(threw).rejects.toThrow('the app\'s bug');
    expect(await errorCode(engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers)))).toBeUndefined();
    expect(engine.stats().connections).toBe(1);
  });

  it('never throws: an authorize that throws at once gives a rejected promise, and frees its slot', async () => {
    const bug = new Error('the app\'s bug');
    let throwing = true;
    const engine = engineOf({
      limits: { maxConnections: 1 },
      authorize: () => {
        if (throwing) throw bug;
        return true;
      },
    });
    let answer: Subscribed | undefined;
    expect(() => (answer = engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers)))).not.toThrow();
    expect(answer).toBeInstanceOf(Promise);
    await expect(answer).rejects.toBe(bug);
    throwing = false;
    // Not admitted, and its slot is free again: the next request is admitted, at once.
    const next = engine.subscribe(spec(fakeRequest('GET', '/'), recorder().handlers));
    expect(next).not.toBeInstanceOf(Promise);
    expect(isCometError(next)).toBe(false);
    expect(engine.stats().connections).toBe(1);
  });

  it('answers 503 over HTTP with a Retry-After, for one-batch and streams alike', async () => {
    const hub = hubWith({ limits: { maxConnections: 1 } });
    void hub.handle(fakeRequest('GET', '/poll?channel=a'));
    await settle();
    for (const url of ['/poll?channel=a', '/stream?channel=a']) {
      const answer = await hub.handle(fakeRequest('GET', url));
      expect(bodyOf(answer)).toMatchObject({ status: 503, json: { error: { code: 'too_many_connections' } } });
      expect((answer as { headers: Record<string, string> }).headers['retry-after']).toBeDefined();
    }
    expect(hub.stats()).toMatchObject({ connections: 1, errors: 2 });
  });
});

describe('authorize', () => {
  it('refusing, at once or later, is forbidden, and nothing is held', async () => {
    for (const verdict of [false, Promise.resolve(false)]) {
      const asked: unknown[] = [];
      const engine = engineOf({ authorize: (action, context) => (asked.push({ action, ...context }), verdict) });
      const request = fakeRequest('GET', '/');
      expect(await errorCode(engine.subscribe(spec(request, recorder().handlers, { channels: channels('a', 'c/*') })))).toBe('forbidden');
      expect(asked).toEqual([{ action: 'subscribe', channels: ['a', 'c/*'], request, transport: 'test' }]);
      expect(engine.stats().connections).toBe(0);
    }
  });

  it('refusing over HTTP answers 403 with the JSON error body', async () => {
    const hub = hubWith({ authorize: async () => false });
    for (const url of ['/poll?channel=a', '/stream?channel=a', '/sse?channel=a']) {
      const { status, json: body } = bodyOf(await hub.handle(fakeRequest('GET', url)));
      expect(status).toBe(403);
      expect(body).toEqual({ error: { code: 'forbidden', message: expect.any(String) } });
    }
    expect(hub.stats()).toMatchObject({ connections: 0, errors: 3 });
  });

  it('a client that left while being authorized holds nothing', async () => {
    const verdict = gate<boolean>();
    const engine = engineOf({ authorize: () => verdict.promise });
    const request = fakeRequest('GET', '/');
    const seen = recorder();
    const pending = engine.subscribe(spec(request, seen.handlers, { once: false }));
    request.signal.abort();
    verdict.open(true);
    expect(await errorCode(pending)).toBe('bad_request');
    expect(engine.stats().connections).toBe(0);
    expect(request.signal.listenerCount).toBe(0);
    await engine.publish(channel('a'), 'after');
    await settle();
    expect([seen.batches, seen.ends]).toEqual([[], []]);
  });
});

describe('release, whatever the transport does', () => {
  it('a subscriber whose handlers do nothing is still released on timeout, abort and close', async () => {
    const add = jest.spyOn(SubscriptionIndex.prototype, 'add');
    const engine = engineOf();
    const index = (): SubscriptionIndex<unknown> => add.mock.contexts[0] as SubscriptionIndex<unknown>;
    const batch = jest.fn();
    const inert: SubscriberHandlers = { batch, end: () => undefined };
    const timed = fakeRequest('GET', '/');
    const aborted = fakeRequest('GET', '/');
    const closed = fakeRequest('GET', '/');
    engine.subscribe(spec(timed, inert, { lifetime: { ms: 1_000, reason: 'timeout' }, channels: channels('a', 'c/*') }));
    engine.subscribe(spec(aborted, inert, { channels: channels('b') }));
    engine.subscribe(spec(closed, inert, { channels: channels('**') }));
    await settle();
    expect(engine.stats().connections).toBe(3);
    expect(index().size).toBe(4);

    jest.advanceTimersByTime(1_000);
    aborted.signal.abort();
    await settle();
    expect(engine.stats()).toMatchObject({ connections: 1, connectionsByTransport: { test: 1 }, timeouts: 1 });
    // Their channel lists stay indexed, empty (a bounded number of them, for the next poll of
    // the same list: see the next test).
    expect(index().size).toBe(4);
    expect([timed.signal.listenerCount, aborted.signal.listenerCount]).toEqual([0, 0]);

    await engine.close();
    expect(engine.stats().connections).toBe(0);
    expect(index().size).toBe(0);
    expect(closed.signal.listenerCount).toBe(0);
    expect(batch).not.toHaveBeenCalled();
  });

  it(`keeps at most ${MAX_EMPTY_GROUPS} channel lists nobody holds indexed, the oldest dropped first`, async () => {
    const add = jest.spyOn(SubscriptionIndex.prototype, 'add');
    const engine = engineOf();
    const index = (): SubscriptionIndex<unknown> => add.mock.contexts[0] as SubscriptionIndex<unknown>;
    const inert: SubscriberHandlers = { batch: () => undefined, end: () => undefined };
    const requests = Array.from({ length: MAX_EMPTY_GROUPS + 50 }, () => fakeRequest('GET', '/'));
    requests.forEach((request, i) => engine.subscribe(spec(request, inert, { channels: channels(`user/${i}`) })));
    await settle();
    expect(index().size).toBe(MAX_EMPTY_GROUPS + 50);
    for (const request of requests) request.signal.abort();
    await settle();
    expect(engine.stats().connections).toBe(0);
    expect(index().size).toBe(MAX_EMPTY_GROUPS);
    // A list that comes back takes its kept group again: nothing is made or indexed anew.
    const again = fakeRequest('GET', '/');
    engine.subscribe(spec(again, inert, { channels: channels(`user/${MAX_EMPTY_GROUPS + 49}`) }));
    await settle();
    expect([index().size, add.mock.calls.length]).toEqual([MAX_EMPTY_GROUPS, MAX_EMPTY_GROUPS + 50]);
    await engine.close();
    expect(index().size).toBe(0);
    add.mockRestore();
  });

  it('a transport that subscribes and forgets its subscriber cannot leak a connection count', async () => {
    // Answers at once and never looks at its subscriber again: the engine alone ends it.
    const forgetful: Transport = {
      name: 'forgetful',
      endRules: { holdMs: 1_000 },
      open(context) {
        if (isCometError(context.channels)) return json(400, {});
        void context.engine.subscribe({
          transport: 'forgetful',
          channels: context.channels,
          request: context.request,
          signal: context.request.signal,
          handlers: { batch: () => undefined, end: () => undefined },
          lifetime: { ms: context.rules.holdMs, reason: 'timeout' },
        });
        return json(200, {});
      },
    };
    const hub = hubWith({ transports: [forgetful] });
    const requests = [0, 1, 2].map(() => fakeRequest('GET', '/forgetful?channel=x'));
    for (const request of requests) expect((await hub.handle(request)).status).toBe(200);
    await hub.publish('x', 'nobody listens');
    await settle();
    expect(hub.stats().connectionsByTransport).toEqual({ forgetful: 3 });
    requests[0]!.signal.abort();
    await settle();
    expect(hub.stats().connections).toBe(2);
    jest.advanceTimersByTime(1_000);
    await settle();
    expect(hub.stats()).toMatchObject({ connections: 0, connectionsByTransport: { forgetful: 0 }, timeouts: 2 });

    // With a hold of 0 it ends right after its read, still with nobody looking.
    const zero = hubWith({ transports: [forgetful], endRules: { forgetful: { holdMs: 0 } } });
    await zero.handle(fakeRequest('GET', '/forgetful?channel=x'));
    await settle();
    expect(zero.stats()).toMatchObject({ connections: 0, connectionsByTransport: { forgetful: 0 } });
  });

  it('a stream whose sink was never started is released by shutdown', async () => {
    const hub = createComet();
    const answer = await hub.handle(fakeRequest('GET', '/stream?channel=a'));
    expect(answer.status).toBe(200);
    expect(hub.stats().connections).toBe(1);
    await hub.close();
    expect(hub.stats().connections).toBe(0);
    // Started late (the bridge was slow), it writes its end at once and ends.
    const sink = startStream(answer);
    expect(sink.frames()).toEqual([expect.objectContaining({ type: 'end', reason: 'closing' })]);
    expect(sink.ended).toBeDefined();
  });
});
