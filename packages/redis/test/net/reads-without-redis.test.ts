import { Redis } from 'ioredis';
import { parseChannel, type Broker, type ParsedChannel } from '@cometkit/core';
import { ChannelFilter, type Cursor, type LogEntry, type ReadResult } from '@cometkit/core/kit';
import { createRedisBroker } from '@cometkit/redis';
import { useRedisServer } from '../support/redis-server';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

// Reads a process can answer without Redis, and reads that share one Redis call: each test counts
// the script calls Redis ran (INFO commandstats, on a connection of its own).

const redis = useRedisServer();
const filter = new ChannelFilter([parseChannel('a/*', true) as ParsedChannel]);
/** The cursor that names `entry` (with its partitions' positions, on a partitioned log). */
const cursorOf = (entry: LogEntry): Cursor => (entry.positions ? { epoch: entry.epoch, position: entry.position, positions: entry.positions } : { epoch: entry.epoch, position: entry.position });
/** Where `read` left its reader in the partition of `entry`. */
const positionIn = (read: ReadResult, entry: LogEntry): number => read.positions?.[entry.partition] ?? read.position;

let admin: Redis;
let proxy: TcpProxy | undefined;
const brokers: Broker[] = [];
beforeEach(() => {
  admin = new Redis(redis().url);
});
afterEach(async () => {
  await Promise.all(brokers.splice(0).map((broker) => broker.close()));
  await proxy?.close();
  proxy = undefined;
  admin.disconnect();
});

/** Script calls Redis ran to the end (a NOSCRIPT refusal, answered by sending the script, is not one). */
const scripts = async (): Promise<number> => {
  const stats = await admin.info('commandstats');
  let ran = 0;
  for (const name of ['evalsha', 'eval']) {
    const line = new RegExp(`cmdstat_${name}:(.*)`).exec(stats)?.[1] ?? '';
    const field = (key: string): number => Number(new RegExp(`${key}=(\\d+)`).exec(line)?.[1] ?? 0);
    ran += field('(?:^|,)calls') - field('failed_calls');
  }
  return ran;
};

async function open(options: Parameters<typeof createRedisBroker>[0]): Promise<Broker> {
  const broker = await createRedisBroker(options);
  brokers.push(broker);
  return broker;
}

/** Publishes `count` entries on `a/x` (payloads from `from`) and resolves once `broker`'s feed brought them all. */
async function publishFed(broker: Broker, count: number, from = 0): Promise<LogEntry[]> {
  let fed = 0;
  let stop = (): void => undefined;
  const all = new Promise<void>((resolve) => (stop = broker.onEntry(() => ++fed === count && resolve())));
  const entries = await Promise.all(Array.from({ length: count }, (_, i) => broker.publish('a/x', ['a', 'x'], String(from + i))));
  await all;
  stop();
  return entries;
}

describe.each([1, 4])('on a log of %i partition(s)', (partitions) => {
  it("a read racing the feed (this process's publish acknowledged, not yet fed) waits for the feed and is answered without Redis", async () => {
    proxy = await startTcpProxy(redis().port);
    const broker = await open({ url: `redis://127.0.0.1:${proxy.port}`, prefix: `race${partitions}`, partitions });
    const [first] = await publishFed(broker, 1);
    // The feed's connection gets nothing from Redis now; the command connection is untouched.
    proxy.holdRepliesTo('cometkit:feed');
    const second = await broker.publish('a/x', ['a', 'x'], '1');
    const before = await scripts();
    const reading = broker.read(cursorOf(first!), filter, 10);
    proxy.holdRepliesTo(undefined);
    const read = await reading;
    expect([read.entries.map((e) => e.payload), positionIn(read, second), read.more]).toEqual([['1'], second.position, false]);
    expect((await scripts()) - before).toBe(0);
  });

  it('a read racing a feed that does not come within commandTimeoutMs is answered from Redis, in full', async () => {
    proxy = await startTcpProxy(redis().port);
    const broker = await open({ url: `redis://127.0.0.1:${proxy.port}`, prefix: `stuck${partitions}`, commandTimeoutMs: 300, partitions });
    const [first] = await publishFed(broker, 1);
    proxy.holdRepliesTo('cometkit:feed');
    const second = await broker.publish('a/x', ['a', 'x'], '1');
    const before = await scripts();
    const read = await broker.read(cursorOf(first!), filter, 10);
    expect([read.entries.map((e) => e.payload), positionIn(read, second)]).toEqual([['1'], second.position]);
    // Only the partition the feed lags in is read from Redis (the others answer from their recent entries).
    expect((await scripts()) - before).toBe(1);
    proxy.holdRepliesTo(undefined);
  });
});

it('concurrent history reads whose cursors fall in one read on its way share it: one Redis call, pages that neither skip nor repeat', async () => {
  const broker = await open({ url: redis().url, prefix: 'shared', recentCount: 0 });
  const entries = await publishFed(broker, 20);
  const before = await scripts();
  const reads = await Promise.all([0, 3, 5].map((i) => broker.read(cursorOf(entries[i]!), filter, 10)));
  expect((await scripts()) - before).toBe(1);
  const [a, b] = reads as [ReadResult, ReadResult];
  expect(reads.map((r) => [r.entries.map((e) => Number(e.payload)), r.position, r.more])).toEqual([
    [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], entries[10]!.position, true],
    [[4, 5, 6, 7, 8, 9, 10], entries[10]!.position, true],
    [[6, 7, 8, 9, 10], entries[10]!.position, true],
  ]);
  // One object per entry, whoever read it: what is cached on an entry (its frames) is shared.
  expect(b.entries[0]).toBe(a.entries[3]);
  // Paging on from a shared page reads the rest once.
  const rest = await broker.read({ epoch: b.epoch, position: b.position }, filter, 10);
  expect([rest.entries.map((e) => Number(e.payload)), rest.more]).toEqual([[11, 12, 13, 14, 15, 16, 17, 18, 19], false]);
});

it('by default the process keeps enough entries to answer a poller a burst of 1,500 left behind, without Redis', async () => {
  const broker = await open({ url: redis().url, prefix: 'burst' });
  const [start] = await publishFed(broker, 1);
  const burst = await publishFed(broker, 1_500, 1);
  const before = await scripts();
  const read = await broker.read(cursorOf(start!), filter, 1_000);
  expect([read.entries.length, read.entries[0]!.payload, read.position, read.more]).toEqual([1_000, '1', burst[999]!.position, true]);
  expect((await scripts()) - before).toBe(0);
});

describe('a log of four partitions has the same read caches', () => {
  const only = new ChannelFilter([parseChannel('a/x', false) as ParsedChannel]);

  it("a read near the head, a pattern across partitions nothing was published to as well, is answered from each partition's recent entries with no Redis call; an older one goes to Redis", async () => {
    const broker = await open({ url: redis().url, prefix: 'parts-near', partitions: 4, recentCount: 12 });
    const entries = await publishFed(broker, 5);
    const before = await scripts();
    const near = await broker.read(cursorOf(entries[1]!), filter, 10);
    expect([near.entries.map((e) => e.payload), near.positions, near.more, near.gap]).toEqual([['2', '3', '4'], entries[4]!.positions, false, undefined]);
    expect((await scripts()) - before).toBe(0);
    // A window of three entries per partition: the cursor before the first entry is outside it.
    const far = await broker.read({ ...cursorOf(entries[0]!), positions: entries[0]!.positions!.map((p, i) => (i === entries[0]!.partition ? p - 1 : p)) }, only, 10);
    expect([far.entries.map((e) => e.payload), far.positions, far.more]).toEqual([['0', '1', '2', '3', '4'], entries[4]!.positions, false]);
    expect((await scripts()) - before).toBe(1);
  });

  it('concurrent history reads whose cursors fall in one read on its way share it', async () => {
    const broker = await open({ url: redis().url, prefix: 'parts-shared', partitions: 4, recentCount: 0 });
    const entries = await publishFed(broker, 20);
    const before = await scripts();
    const reads = await Promise.all([0, 3, 5].map((i) => broker.read(cursorOf(entries[i]!), only, 10)));
    expect((await scripts()) - before).toBe(1);
    expect(reads.map((r) => [r.entries.map((e) => Number(e.payload)), r.positions![entries[0]!.partition], r.more])).toEqual([
      [[1, 2, 3, 4, 5, 6, 7, 8, 9, 10], entries[10]!.position, true],
      [[4, 5, 6, 7, 8, 9, 10], entries[10]!.position, true],
      [[6, 7, 8, 9, 10], entries[10]!.position, true],
    ]);
  });
});
