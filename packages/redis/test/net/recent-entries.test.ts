import { Redis } from 'ioredis';
import { parseChannel, type ParsedChannel } from '@cometkit/core';
import { ChannelFilter } from '@cometkit/core/kit';
import { createRedisBroker } from '@cometkit/redis';
import { useRedisServer } from '../support/redis-server';

const redis = useRedisServer();

it('a read near the head is answered from the entries the feed brought, with no Redis call; an older one goes to Redis', async () => {
  const admin = new Redis(redis().url);
  const publisher = await createRedisBroker({ url: redis().url, prefix: 'recent' });
  const reader = await createRedisBroker({ url: redis().url, prefix: 'recent', recentCount: 4 });
  try {
    let fed = 0;
    const all = new Promise<void>((resolve) => reader.onEntry(() => ++fed === 10 && resolve()));
    const entries = [];
    for (let i = 0; i < 10; i++) entries.push(await publisher.publish(i % 2 ? 'a/odd' : 'a/even', ['a', i % 2 ? 'odd' : 'even'], String(i)));
    await all;
    const scripts = async (): Promise<number> => Number(/cmdstat_evalsha:calls=(\d+)/.exec(await admin.info('commandstats'))?.[1] ?? 0);
    const filter = new ChannelFilter([parseChannel('a/odd', false) as ParsedChannel]);
    const before = await scripts();
    const near = await reader.read({ epoch: entries[5]!.epoch, position: entries[5]!.position }, filter, 10);
    expect([near.entries.map((e) => e.payload), near.position, near.more]).toEqual([['7', '9'], entries[9]!.position, false]);
    expect((await scripts()) - before).toBe(0);
    const far = await reader.read({ epoch: entries[1]!.epoch, position: entries[1]!.position }, filter, 10);
    expect(far.entries.map((e) => e.payload)).toEqual(['3', '5', '7', '9']);
    expect((await scripts()) - before).toBe(1);
  } finally {
    await publisher.close();
    await reader.close();
    admin.disconnect();
  }
});
