import { createMemoryBroker, isCometError, parseChannel, type Broker, type ParsedChannel } from '@cometkit/core';
import { ChannelFilter, formatCursor, parseCursor } from '@cometkit/core/kit';

function channel(name: string): ParsedChannel {
  const parsed = parseChannel(name, true);
  if (isCometError(parsed)) throw parsed;
  return parsed;
}
const filter = (...names: string[]): ChannelFilter => new ChannelFilter(names.map(channel));
const publish = (broker: Broker, name: string, data: unknown) =>
  broker.publish(channel(name).name, channel(name).segments, JSON.stringify(data));

describe('cursors', () => {
  it('round-trip through text', () => {
    const text = formatCursor({ epoch: 'abc123', position: 42 });
    expect(text).toBe('abc123-42');
    expect(parseCursor(text)).toEqual({ epoch: 'abc123', position: 42 });
  });

  it.each(['', '-', 'abc', 'abc-', '-1', 'ABC-1', 'abc-01', 'abc-1.5', 'abc--1', 'abc-99999999999999999', 'a b-1', 'x'.repeat(25) + '-1'])(
    'refuse %j as bad_cursor',
    (text) => {
      const result = parseCursor(text);
      expect(isCometError(result) && result.code).toBe('bad_cursor');
    },
  );
});

describe('memory broker', () => {
  it('numbers entries from 1 and frames each once as JSON', async () => {
    const broker = createMemoryBroker();
    const first = await publish(broker, 'a/b', { n: 1 });
    const second = await publish(broker, 'a/c', 'two');
    expect([first.position, second.position]).toEqual([1, 2]);
    expect(JSON.parse(first.json)).toEqual({ channel: 'a/b', cursor: first.cursor, data: { n: 1 } });
    expect(broker.head()).toEqual({ epoch: first.epoch, position: 2 });
  });

  it('reads only matching entries after the cursor, in order', async () => {
    const broker = createMemoryBroker();
    for (let i = 1; i <= 10; i++) await publish(broker, i % 2 ? 'odd' : 'even', i);
    const { epoch } = broker.head();
    const result = await broker.read({ epoch, position: 3 }, filter('odd'), 100);
    expect(result.entries.map((e) => JSON.parse(e.payload))).toEqual([5, 7, 9]);
    expect(result).toMatchObject({ position: 10, more: false });
    expect(result.gap).toBeUndefined();
  });

  it('without a cursor starts at the head', async () => {
    const broker = createMemoryBroker();
    await publish(broker, 'a', 1);
    const result = await broker.read(undefined, filter('a'), 10);
    expect(result.entries).toEqual([]);
    expect(result.position).toBe(1);
  });

  it('stops at the limit and says there is more', async () => {
    const broker = createMemoryBroker();
    for (let i = 1; i <= 10; i++) await publish(broker, 'a', i);
    const { epoch } = broker.head();
    const first = await broker.read({ epoch, position: 0 }, filter('a'), 4);
    expect(first.entries.map((e) => e.position)).toEqual([1, 2, 3, 4]);
    expect(first).toMatchObject({ position: 4, more: true });
    const rest = await broker.read({ epoch, position: first.position }, filter('a'), 100);
    expect(rest.entries.map((e) => e.position)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(rest.more).toBe(false);
  });

  it('evicts by count and signals the gap to a cursor behind history', async () => {
    const broker = createMemoryBroker({ maxCount: 5 });
    for (let i = 1; i <= 12; i++) await publish(broker, 'a', i);
    const { epoch } = broker.head();
    const behind = await broker.read({ epoch, position: 3 }, filter('a'), 100);
    expect(behind.gap).toBe('expired');
    expect(behind.entries.map((e) => e.position)).toEqual([8, 9, 10, 11, 12]);
    // Exactly at the edge of history: nothing was lost.
    const edge = await broker.read({ epoch, position: 7 }, filter('a'), 100);
    expect(edge.gap).toBeUndefined();
    expect(edge.entries.map((e) => e.position)).toEqual([8, 9, 10, 11, 12]);
  });

  it('evicts by age', async () => {
    let now = 1_000_000;
    const broker = createMemoryBroker({ maxAgeMs: 1_000, now: () => now });
    await publish(broker, 'a', 1);
    now += 600;
    await publish(broker, 'a', 2);
    now += 600; // the first is now 1,200 ms old
    const { epoch } = broker.head();
    const result = await broker.read({ epoch, position: 0 }, filter('a'), 100);
    expect(result.gap).toBe('expired');
    expect(result.entries.map((e) => e.position)).toEqual([2]);
    now += 2_000; // everything expired, but a reader already at the head lost nothing
    const atHead = await broker.read({ epoch, position: 2 }, filter('a'), 100);
    expect(atHead.gap).toBeUndefined();
    expect(atHead.entries).toEqual([]);
  });

  it('signals a gap to a cursor from another epoch and replays the new history', async () => {
    const old = createMemoryBroker();
    await publish(old, 'a', 'old');
    const restarted = createMemoryBroker();
    await publish(restarted, 'a', 'new');
    const result = await restarted.read({ epoch: old.head().epoch, position: 1 }, filter('a'), 100);
    expect(old.head().epoch).not.toBe(restarted.head().epoch);
    expect(result.gap).toBe('epoch');
    expect(result.entries.map((e) => JSON.parse(e.payload))).toEqual(['new']);
  });

  it('tells listeners of every entry in order, until stopped', async () => {
    const broker = createMemoryBroker();
    const seen: number[] = [];
    const stop = broker.onEntry((entry) => seen.push(entry.position));
    await publish(broker, 'a', 1);
    await publish(broker, 'b', 2);
    stop();
    await publish(broker, 'a', 3);
    expect(seen).toEqual([1, 2]);
  });
});
