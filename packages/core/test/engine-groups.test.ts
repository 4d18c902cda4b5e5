import type { Subscriber } from '../src/engine/subscriber';
import { MAX_FLUSH_WAIT_MS } from '../src/engine/engine';
import { channel, channels, engineWith, fakeRequest, recorder, settle, type Recorder } from './support/fakes';

/**
 * Subscribers of one channel list are dispatched as one group: live, caught-up members share one
 * queue per turn and one batch object. These tests pin what that must never change: each member
 * gets every entry once, in order, and one that leaves the shared queue (its lifetime runs out,
 * it changes channels, a turn holds more than a batch) loses nothing.
 */
describe('subscribers of one channel list', () => {
  const subscribe = (engine: ReturnType<typeof engineWith>['engine'], names: string[]): { sub: Subscriber; rec: Recorder } => {
    const rec = recorder();
    const sub = engine.subscribe({ transport: 'test', channels: channels(...names), request: fakeRequest('GET', '/'), handlers: rec.handlers, lifetime: { ms: 1e9, reason: 'timeout' } }) as Subscriber;
    return { sub, rec };
  };
  const payloads = (rec: Recorder): string[] => rec.entries().map((e) => e.payload);

  it('share one batch object per turn; another list gets its own', async () => {
    const { engine } = engineWith();
    const [a, b] = [subscribe(engine, ['room', 'other']), subscribe(engine, ['other', 'room'])];
    const c = subscribe(engine, ['room']);
    await settle();
    await engine.publish(channel('room'), 1);
    await engine.publish(channel('room'), 2);
    await settle();
    expect([payloads(a.rec), payloads(b.rec), payloads(c.rec)]).toEqual([['1', '2'], ['1', '2'], ['1', '2']]);
    expect(a.rec.batches).toHaveLength(1);
    expect(b.rec.batches[0]).toBe(a.rec.batches[0]);
    expect(c.rec.batches[0]).not.toBe(a.rec.batches[0]);
    expect(c.rec.batches[0]!.entries).toEqual(a.rec.batches[0]!.entries);
    await engine.close();
  });

  it('a member that ends mid-turn (shutdown) is handed what was queued for it, once, with its cursor after it', async () => {
    const { engine } = engineWith();
    const members = [subscribe(engine, ['room']), subscribe(engine, ['room'])];
    await settle();
    await engine.publish(channel('room'), 1);
    const last = await engine.publish(channel('room'), 2);
    await engine.close(); // before the turn's flush
    for (const { rec } of members) {
      expect(payloads(rec)).toEqual(['1', '2']);
      expect(rec.ends).toEqual([{ reason: 'closing', cursor: last.cursor }]);
    }
  });

  it('a member whose hold runs out gets its share at once; the others get theirs at the turn', async () => {
    const { engine } = engineWith();
    const short = subscribe(engine, ['room']); // its hold "runs out" below, by hand: no timer races the test
    const long = subscribe(engine, ['room']);
    await settle();
    await engine.publish(channel('room'), 1);
    short.sub.expire();
    expect(payloads(short.rec)).toEqual(['1']);
    expect(short.rec.ends.map((e) => e.reason)).toEqual(['timeout']);
    await engine.publish(channel('room'), 2);
    await settle();
    expect(payloads(long.rec)).toEqual(['1', '2']);
    expect(payloads(short.rec)).toEqual(['1']);
    await engine.close();
  });

  it('a member that changes channels mid-turn keeps what it still holds and drops the rest', async () => {
    const { engine } = engineWith();
    const mover = subscribe(engine, ['a', 'b']);
    const stayer = subscribe(engine, ['a', 'b']);
    await settle();
    await engine.publish(channel('a'), 'a1');
    await engine.publish(channel('b'), 'b1');
    mover.sub.setChannels(channels('b')); // a removed: stops at once, b's queued entry stays
    await engine.publish(channel('a'), 'a2');
    await engine.publish(channel('b'), 'b2');
    await settle();
    expect(payloads(mover.rec)).toEqual(['"b1"', '"b2"']);
    expect(payloads(stayer.rec)).toEqual(['"a1"', '"b1"', '"a2"', '"b2"']);
    await engine.close();
  });

  it('a turn of more than batchLimit entries reaches every member in order, in shared batches of at most batchLimit', async () => {
    const { engine } = engineWith({ batchLimit: 3 });
    const members = [subscribe(engine, ['room']), subscribe(engine, ['room'])];
    await settle();
    await Promise.all(Array.from({ length: 8 }, (_, i) => engine.publish(channel('room'), i)));
    await settle(10);
    for (const { rec } of members) {
      expect(payloads(rec)).toEqual(['0', '1', '2', '3', '4', '5', '6', '7']);
      expect(Math.max(...rec.batches.map((b) => b.entries.length))).toBeLessThanOrEqual(3);
    }
    // Still one batch object per turn for both: the members stay in their group's queue.
    expect(members[1]!.rec.batches).toHaveLength(members[0]!.rec.batches.length);
    members[0]!.rec.batches.forEach((batch, i) => expect(members[1]!.rec.batches[i]).toBe(batch));
    await engine.close();
  });

  it('a member that joins while the others are live gets history, then the shared turns, each entry once', async () => {
    const { engine } = engineWith();
    const early = subscribe(engine, ['room']);
    await settle();
    const from = engine.head();
    await engine.publish(channel('room'), 1);
    const rec = recorder();
    engine.subscribe({ transport: 'test', channels: channels('room'), cursor: from, request: fakeRequest('GET', '/'), handlers: rec.handlers, lifetime: { ms: 1e9, reason: 'timeout' } });
    await engine.publish(channel('room'), 2);
    await settle();
    await engine.publish(channel('room'), 3);
    await settle();
    expect(payloads(rec)).toEqual(['1', '2', '3']);
    expect(payloads(early.rec)).toEqual(['1', '2', '3']);
    expect(rec.batches.at(-1)).toBe(early.rec.batches.at(-1)); // synced by then: the same batch
    await engine.close();
  });
});

describe('a flush the event loop is slow to reach', () => {
  afterEach(() => jest.useRealTimers());

  it(`goes out when an entry comes more than ${MAX_FLUSH_WAIT_MS} ms after it was due, before that entry joins it`, async () => {
    const { engine } = engineWith();
    const rec = recorder();
    engine.subscribe({ transport: 'test', channels: channels('room'), request: fakeRequest('GET', '/'), handlers: rec.handlers, lifetime: { ms: 1e9, reason: 'timeout' } });
    await settle();
    // Only the clock is faked: the flush's setImmediate stays real, and no turn passes below.
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval'] });
    await engine.publish(channel('room'), 1);
    await engine.publish(channel('room'), 2); // within the same turn: one batch with 1
    expect(rec.batches).toHaveLength(0);
    jest.setSystemTime(Date.now() + MAX_FLUSH_WAIT_MS + 1);
    await engine.publish(channel('room'), 3);
    expect(rec.batches.map((b) => b.entries.map((e) => e.payload))).toEqual([['1', '2']]);
    await settle();
    expect(rec.batches.map((b) => b.entries.map((e) => e.payload))).toEqual([['1', '2'], ['3']]);
    await engine.close();
  });
});
