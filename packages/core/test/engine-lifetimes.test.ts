import { formatCursor } from '../src/log/cursor';
import { createComet, type CometHub } from '../src/hub';
import { json } from '../src/responses';
import { holdOneBatch } from '../src/kit/hold';
import type { Batch } from '../src/engine/subscriber';
import { bodyOf, channels, engineWith, fakeRequest, recorder, settle, startStream, track, turn, closedAfterEach } from './support/fakes';

// The fast tier: the engine and the hub's routes driven with fake requests, a fake sink and fake
// timers. setImmediate stays real so that batching per turn and async reads run as they do.
beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] }));
afterEach(() => jest.useRealTimers());

const hubWith = closedAfterEach();

describe('hold time of a one-batch response', () => {
  it('answers empty at the hold time with the head cursor, counting a timeout', async () => {
    const hub = hubWith({ longPollTimeoutMs: 1_000 });
    await hub.publish('other', 1);
    const answer = track(hub.handle(fakeRequest('GET', '/poll?channel=quiet')));
    await settle();
    expect(hub.stats().connections).toBe(1);
    // The head moves while the poll is held; its answer says so, so the next poll skips it.
    await hub.publish('other', 2);
    await settle();
    jest.advanceTimersByTime(999);
    await settle();
    expect(answer.done).toBe(false);
    jest.advanceTimersByTime(1);
    await settle();
    expect(answer.done).toBe(true);
    const head = formatCursor(hub.engine.head());
    expect(hub.engine.head().position).toBe(2);
    expect(bodyOf(answer.value!)).toEqual({ status: 200, json: { cursor: head, messages: [] } });
    expect(hub.stats()).toMatchObject({ connections: 0, timeouts: 1 });
  });

  it('uses the transport\'s own hold time from endRules over the hub\'s', async () => {
    const hub = hubWith({ longPollTimeoutMs: 1_000, jsonp: true, endRules: { jsonp: { holdMs: 200 } } });
    const poll = track(hub.handle(fakeRequest('GET', '/poll?channel=q')));
    const jsonp = track(hub.handle(fakeRequest('GET', '/jsonp?channel=q&callback=cb')));
    await settle();
    jest.advanceTimersByTime(200);
    await settle();
    expect([poll.done, jsonp.done]).toEqual([false, true]);
    jest.advanceTimersByTime(800);
    await settle();
    expect(poll.done).toBe(true);
  });

  it('with a hold of 0 answers right after the history read, with no timer', async () => {
    const { engine } = engineWith();
    const push = { channels: channels('a'), cursor: undefined, sentCursor: undefined };
    const framing = { answer: (batch: Batch) => json(200, { cursor: batch.cursor, data: batch.entries.map((e) => JSON.parse(e.payload)) }) };
    const empty = track(holdOneBatch({ engine, request: fakeRequest('GET', '/'), push, transport: 'connect', holdMs: 0 }, framing));
    expect(jest.getTimerCount()).toBe(0);
    await settle(); // event-loop turns only: no fake time passes
    expect(empty.done).toBe(true);
    expect(bodyOf(empty.value!).json).toEqual({ cursor: formatCursor(engine.head()), data: [] });
    expect(engine.stats().connections).toBe(0);

    // With history after its cursor, it answers that history.
    const from = engine.head();
    await engine.publish(channels('a')[0]!, 'kept');
    const full = track(holdOneBatch({ engine, request: fakeRequest('GET', '/'), push: { ...push, cursor: from }, transport: 'connect', holdMs: 0 }, framing));
    await settle();
    expect(bodyOf(full.value!).json.data).toEqual(['kept']);
    await engine.close();
  });

  it('a subscriber of lifetime 0 that streams gets its history, then ends with its reason', async () => {
    const { engine } = engineWith();
    const from = engine.head();
    await engine.publish(channels('a')[0]!, 1);
    await engine.publish(channels('a')[0]!, 2);
    const seen = recorder();
    engine.subscribe({ transport: 't', channels: channels('a'), cursor: from, request: fakeRequest('GET', '/'), handlers: seen.handlers, lifetime: { ms: 0, reason: 'age' } });
    await settle();
    expect(seen.entries().map((e) => e.payload)).toEqual(['1', '2']);
    expect(seen.ends).toEqual([{ reason: 'age', cursor: formatCursor(engine.head()) }]);
    await engine.close();
  });

  it('clamps a client-chosen hold to the configured range, with one timer for every duration', async () => {
    const { engine } = engineWith({ limits: { minHoldMs: 100, maxHoldMs: 500 } });
    const push = { channels: channels('a'), cursor: undefined, sentCursor: undefined };
    const framing = { answer: (batch: Batch) => json(200, batch.cursor) };
    const hold = (holdMs: number) => track(holdOneBatch({ engine, request: fakeRequest('GET', '/'), push, transport: 'connect', holdMs }, framing));
    const short = hold(5);
    const long = hold(60_000);
    const others = [150, 220, 310, 499, 120, 400].map(hold);
    await settle();
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(99);
    await settle();
    expect(short.done).toBe(false);
    jest.advanceTimersByTime(1);
    await settle();
    expect(short.done).toBe(true);
    jest.advanceTimersByTime(399);
    await settle();
    expect(long.done).toBe(false);
    jest.advanceTimersByTime(1);
    await settle();
    expect([long.done, ...others.map((o) => o.done)]).toEqual(Array(7).fill(true));
    expect(engine.stats()).toMatchObject({ connections: 0, timeouts: 8 });
    expect(jest.getTimerCount()).toBe(0);
    await engine.close();
  });
});

describe('maximum age of a stream', () => {
  it('ends the stream at its age with an end frame and a cursor, releasing it', async () => {
    const hub = hubWith({ streams: { maxAgeMs: 1_000 } });
    const sink = startStream(await hub.handle(fakeRequest('GET', '/stream?channel=a')));
    await settle();
    expect(sink.frames().map((f) => f.type)).toEqual(['open']);
    jest.advanceTimersByTime(999);
    await settle();
    expect(sink.ended).toBeUndefined();
    jest.advanceTimersByTime(1);
    await settle();
    expect(sink.ended).toBeDefined();
    expect(sink.frames().at(-1)).toEqual({ type: 'end', reason: 'age', cursor: formatCursor(hub.engine.head()) });
    expect(hub.stats().connections).toBe(0);
  });

  it('takes each transport\'s own age from endRules', async () => {
    const hub = hubWith({ streams: { maxAgeMs: 1_000 }, endRules: { stream: { maxAgeMs: 300 } } });
    const xhr = startStream(await hub.handle(fakeRequest('GET', '/stream?channel=a')));
    const sse = startStream(await hub.handle(fakeRequest('GET', '/sse?channel=a')));
    await settle();
    jest.advanceTimersByTime(300);
    await settle();
    expect([xhr.ended !== undefined, sse.ended !== undefined]).toEqual([true, false]);
    jest.advanceTimersByTime(700);
    await settle();
    expect(sse.ended).toBeDefined();
    expect(sse.text()).toContain('event: end\n');
  });
});

describe('heartbeats', () => {
  it('never leave a stream silent longer than heartbeatMs, and come only when it is idle', async () => {
    const heartbeatMs = 1_000;
    const hub = hubWith({ heartbeatMs, streams: { maxAgeMs: 3_600_000 } });
    const start = Date.now();
    const first = startStream(await hub.handle(fakeRequest('GET', '/stream?channel=a')));
    await settle();
    // A second stream opened out of phase with the timer's ticks.
    jest.advanceTimersByTime(130);
    const second = startStream(await hub.handle(fakeRequest('GET', '/stream?channel=b')));
    await settle();
    // Messages at irregular moments reset each stream's idle time.
    let t = 130;
    for (const step of [40, 700, 760, 90, 1_990, 5, 740, 1_250, 333, 10, 2_600, 875, 620, 4_000, 1_001, 749, 751]) {
      jest.advanceTimersByTime(step);
      t += step;
      await hub.publish(t % 2 ? 'a' : 'b', t);
      await turn();
    }
    jest.advanceTimersByTime(12_000);
    const end = Date.now();
    expect(end - start).toBeGreaterThan(20 * heartbeatMs);

    for (const sink of [first, second]) {
      const times = [...sink.writes.map((w) => w.at), end];
      const gaps = times.slice(1).map((at, i) => at - times[i]!);
      expect(Math.max(...gaps)).toBeLessThanOrEqual(heartbeatMs);
      const heartbeats = sink.writes.filter((w) => w.text.includes('"heartbeat"'));
      expect(heartbeats.length).toBeGreaterThan(15);
      // A heartbeat comes only after at least ¾ of an interval of silence.
      for (const beat of heartbeats) {
        const before = sink.writes[sink.writes.indexOf(beat) - 1]!;
        expect(beat.at - before.at).toBeGreaterThanOrEqual((heartbeatMs * 3) / 4);
      }
    }
    expect(first.frames().find((f) => f.type === 'open')).toMatchObject({ heartbeatMs });
  });

  it('stops the heartbeat timer once the last stream has ended', async () => {
    const hub = hubWith({ heartbeatMs: 1_000, streams: { maxAgeMs: 5_000 } });
    startStream(await hub.handle(fakeRequest('GET', '/stream?channel=a')));
    await settle();
    expect(jest.getTimerCount()).toBe(2); // the heartbeat timer and the lifetime queue's
    jest.advanceTimersByTime(5_000);
    await settle();
    expect(jest.getTimerCount()).toBe(0);
  });
});
