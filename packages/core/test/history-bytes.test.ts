import { createComet, createMemoryBroker, parseChannel, type MemoryBroker, type ParsedChannel } from '@cometkit/core';
import { cachedFrame, ChannelFilter, createLogEntry, EntryRing, type LogEntry } from '@cometkit/core/kit';

/*
 * History bounded by bytes (issue 21, finding 3): 400 publishes of 65 KB, read once over every
 * transport, held about 765 KiB per entry (its text and a framed copy per transport), and the
 * count limit alone let 10,000 of them stay.
 */

const KIB = 1024;
const a = parseChannel('a', true) as ParsedChannel;
const filter = new ChannelFilter([a]);
/** A JSON string payload of about `size` characters. */
const payloadOf = (size: number, n: number): string => JSON.stringify(`${n}:`.padEnd(size, 'x'));
const publishBig = (broker: MemoryBroker, n: number, size = 64 * KIB): Promise<LogEntry> => broker.publish(a.name, a.segments, payloadOf(size, n));
/** Every wire form a transport keeps on an entry, as six transports reading it would leave them. */
const FORMS = ['poll', 'item', 'sse', 'stream', 'iframe', 'ws-compact-one'];
const frameEveryForm = (entry: LogEntry): void => FORMS.forEach((form) => cachedFrame(entry, form, (e) => `<${form}>${e.json}`));

describe('history bounded by bytes', () => {
  it('keeps the memory broker under maxBytes with large messages, their frames counted', async () => {
    const maxBytes = 1024 * KIB;
    const broker = createMemoryBroker({ maxBytes });
    let entry: LogEntry | undefined;
    for (let n = 1; n <= 100; n++) {
      entry = await publishBig(broker, n);
      expect(broker.historyBytes()).toBeLessThanOrEqual(maxBytes);
      frameEveryForm(entry);
      expect(broker.historyBytes()).toBeLessThanOrEqual(maxBytes);
    }
    // One entry with its six frames is about 8 × 64 KiB: two fit in 1 MiB, not eight as text alone.
    const { epoch } = broker.head();
    const all = await broker.read({ epoch, position: 0 }, filter, 1_000);
    expect(all.entries.length).toBeGreaterThanOrEqual(1);
    expect(all.entries.length).toBeLessThanOrEqual(2);
    expect(all.entries[all.entries.length - 1]).toBe(entry);
    expect(broker.historyBytes()).toBeGreaterThan(all.entries.length * 8 * 64 * KIB);
  });

  it('tells a reader whose cursor was dropped by bytes of the expired gap, and goes on from the oldest kept', async () => {
    const broker = createMemoryBroker({ maxBytes: 600 * KIB });
    for (let n = 1; n <= 10; n++) await publishBig(broker, n);
    // Text only (payload and JSON, about 128 KiB an entry): four are kept.
    const { epoch } = broker.head();
    const behind = await broker.read({ epoch, position: 2 }, filter, 100);
    expect(behind.gap).toBe('expired');
    expect(behind.entries.map((e) => e.position)).toEqual([7, 8, 9, 10]);
    const edge = await broker.read({ epoch, position: 6 }, filter, 100);
    expect(edge.gap).toBeUndefined();
    expect(edge.entries.map((e) => e.position)).toEqual([7, 8, 9, 10]);
  });

  it('keeps small messages by count as before: the default byte limit is far above 10,000 of them', async () => {
    const broker = createMemoryBroker({ maxCount: 20_000 });
    for (let n = 1; n <= 20_000; n++) await broker.publish(a.name, a.segments, String(n));
    const { epoch } = broker.head();
    expect((await broker.read({ epoch, position: 0 }, filter, 1)).gap).toBeUndefined();
    expect(broker.historyBytes()).toBeLessThan(64 * 1024 * KIB);
  });

  it.each([0, -1, 1.5, Number.NaN, Infinity, '1' as unknown as number])('refuses maxBytes %p with a TypeError naming the option', (maxBytes) => {
    expect(() => createMemoryBroker({ maxBytes })).toThrow(new TypeError('cometkit: history.maxBytes must be a positive whole number'));
    expect(() => createComet({ history: { maxBytes } })).toThrow(/history\.maxBytes/);
  });

  it('takes a good maxBytes on the hub', async () => {
    const hub = createComet({ history: { maxBytes: 64 * KIB } });
    await hub.close();
  });
});

describe('entry ring bytes', () => {
  const entry = (epoch: string, position: number, size: number): LogEntry => createLogEntry(epoch, position, 'a', ['a'], payloadOf(size, position), position);

  it('counts what it holds and lets go of the count with the entry: by count, by age, on a new epoch', () => {
    const ring = new EntryRing(3, 'e', 1, 10 * 1024 * KIB);
    const entries = [1, 2, 3, 4].map((p) => entry('e', p, 1_000));
    entries.forEach((e) => ring.push(e));
    const one = ring.bytes / 3;
    expect(one).toBeGreaterThan(2_000);
    cachedFrame(entries[3]!, 'poll', () => Buffer.alloc(5_000));
    // The frame's bytes, and a little for the Buffer object and its row.
    const frame = ring.bytes - 3 * one;
    expect(frame).toBeGreaterThanOrEqual(5_000);
    expect(frame).toBeLessThan(5_500);
    // A frame added to an entry the ring no longer holds is not counted.
    cachedFrame(entries[0]!, 'poll', () => Buffer.alloc(5_000));
    expect(ring.bytes).toBe(3 * one + frame);
    ring.dropOlderThan(3);
    expect([ring.first, ring.bytes]).toEqual([3, 2 * one + frame]);
    ring.push(entry('f', 1, 1_000));
    expect([ring.first, ring.last, ring.bytes]).toEqual([1, 1, one]);
  });

  it('drops the newest too when it alone is over the limit, and reads on as a ring with nothing held', () => {
    const ring = new EntryRing(3, 'e', 1, 10 * KIB);
    ring.push(entry('e', 1, 1_000));
    ring.push(entry('e', 2, 20 * KIB));
    expect([ring.first, ring.last, ring.bytes]).toEqual([3, 2, 0]);
    expect(ring.covers('e', 2)).toBe(true);
    expect(ring.covers('e', 1)).toBe(false);
  });
});
