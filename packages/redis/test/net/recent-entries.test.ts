import { Redis } from 'ioredis';
import { parseChannel, type Broker, type ParsedChannel } from '@cometkit/core';
import { ChannelFilter, type LogEntry } from '@cometkit/core/kit';
import { createRedisBroker, type RedisBrokerOptions } from '@cometkit/redis';
import { useRedisServer } from '../support/redis-server';

const redis = useRedisServer();

/** What a test gets: the entries one broker published, fed to a reader, and the reader's script calls. */
interface Published {
  reader: Broker;
  entries: LogEntry[];
  scripts: () => Promise<number>;
}

/**
 * Publishes 10 entries (`payloadOf(i)` on `channelOf(i)`) from one broker, waits until a reader
 * made with `options` was fed them all, runs `check`, and closes everything.
 */
async function publishTen(
  options: RedisBrokerOptions,
  channelOf: (i: number) => string,
  payloadOf: (i: number) => string,
  check: (published: Published) => Promise<void>,
): Promise<void> {
  const admin = new Redis(redis().url);
  const publisher = await createRedisBroker({ url: redis().url, prefix: options.prefix });
  const reader = await createRedisBroker({ url: redis().url, ...options });
  try {
    let fed = 0;
    const all = new Promise<void>((resolve) => reader.onEntry(() => ++fed === 10 && resolve()));
    const entries: LogEntry[] = [];
    for (let i = 0; i < 10; i++) entries.push(await publisher.publish(channelOf(i), channelOf(i).split('/'), payloadOf(i)));
    await all;
    const scripts = async (): Promise<number> => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
    await check({ reader, entries, scripts });
  } finally {
    await publisher.close();
    await reader.close();
    admin.disconnect();
  }
}

const filterOf = (name: string): ChannelFilter => new ChannelFilter([parseChannel(name, false) as ParsedChannel]);
const cursorOf = (entry: LogEntry) => ({ epoch: entry.epoch, position: entry.position });

it('a read near the head is answered from the entries the feed brought, with no Redis call; an older one goes to Redis', async () => {
  const channelOf = (i: number): string => (i % 2 ? 'a/odd' : 'a/even');
  await publishTen({ prefix: 'recent', recentCount: 4 }, channelOf, String, async ({ reader, entries, scripts }) => {
    const filter = filterOf('a/odd');
    const before = await scripts();
    const near = await reader.read(cursorOf(entries[5]!), filter, 10);
    expect([near.entries.map((e) => e.payload), near.position, near.more]).toEqual([['7', '9'], entries[9]!.position, false]);
    expect((await scripts()) - before).toBe(0);
    const far = await reader.read(cursorOf(entries[1]!), filter, 10);
    expect(far.entries.map((e) => e.payload)).toEqual(['3', '5', '7', '9']);
    expect((await scripts()) - before).toBe(1);
  });
});

it('the recent entries are bounded by bytes too: a read they no longer reach goes to Redis', async () => {
  // Each entry is about 20 KB counted (its payload and its JSON): two fit in 50,000 bytes.
  const payloadOf = (i: number): string => JSON.stringify(`${i}`.padEnd(10_000, 'x'));
  await publishTen({ prefix: 'recent-bytes', recentMaxBytes: 50_000 }, () => 'a/big', payloadOf, async ({ reader, entries, scripts }) => {
    const filter = filterOf('a/big');
    const positions = (...indexes: number[]): number[] => indexes.map((i) => entries[i]!.position);
    const before = await scripts();
    const near = await reader.read(cursorOf(entries[7]!), filter, 10);
    expect(near.entries.map((e) => e.position)).toEqual(positions(8, 9));
    expect((await scripts()) - before).toBe(0);
    const far = await reader.read(cursorOf(entries[6]!), filter, 10);
    expect(far.entries.map((e) => e.position)).toEqual(positions(7, 8, 9));
    expect((await scripts()) - before).toBe(1);
  });
});

it('refuses a recentMaxBytes that is not a positive whole number, naming it', async () => {
  await expect(createRedisBroker({ url: redis().url, recentMaxBytes: 0 })).rejects.toThrow(/recentMaxBytes/);
});
