import { Redis } from 'ioredis';
import type { LogEntry } from '@cometkit/core/kit';
import { createRedisBroker } from '@cometkit/redis';
import { useRedisServer } from '../support/redis-server';

const redis = useRedisServer();

/** The calls of one Redis command so far, from INFO commandstats. */
async function calls(admin: Redis, command: string): Promise<number> {
  const info = await admin.info('commandstats');
  return Number(new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(info)?.[1] ?? 0);
}

it('the publishes of one turn go in one script call (bounded), at consecutive positions in call order, each answered with its own entry', async () => {
  const admin = new Redis(redis().url);
  const publisher = await createRedisBroker({ url: redis().url, prefix: 'batch' });
  const other = await createRedisBroker({ url: redis().url, prefix: 'batch' });
  try {
    const warm = await publisher.publish('warm', ['warm'], '0');
    const fed: LogEntry[] = [];
    // How many were fed at each end of a fed batch: the engine hands a batch over at its end.
    const ends: number[] = [];
    const allFed = new Promise<void>((resolve) =>
      other.onEntry(
        (entry) => entry.position > warm.position && fed.push(entry) === 500 && resolve(),
        () => ends.push(fed.length),
      ),
    );
    const before = await calls(admin, 'evalsha');
    const entries = await Promise.all(Array.from({ length: 500 }, (_, i) => publisher.publish(`c/${i % 3}`, ['c', String(i % 3)], `{"i":${i}}`)));
    const first = entries[0]!.position;
    expect(entries.map((e) => [e.position, e.channel, e.payload])).toEqual(Array.from({ length: 500 }, (_, i) => [first + i, `c/${i % 3}`, `{"i":${i}}`]));
    // Another process's feed gets the batches whole and in order, with no read.
    await allFed;
    expect(fed.map((e) => [e.position, e.payload])).toEqual(entries.map((e) => [e.position, e.payload]));
    expect(fed.every((e) => e.epoch === entries[0]!.epoch)).toBe(true);
    // 500 in one turn: the first at once (nothing was in flight), a full batch of 256, the other
    // 243 at the end of the turn; and the other feed read nothing (a backfill is a script call too).
    expect((await calls(admin, 'evalsha')) - before).toBe(3);
    // Each script call's entries came as one feed message, and were told as one batch.
    expect(ends.filter((n) => n > 0)).toEqual([1, 257, 500]);
  } finally {
    await publisher.close();
    await other.close();
    admin.disconnect();
  }
});

it('a batch that fails rejects every publish in it, and the next batch goes on from the log as it is', async () => {
  const admin = new Redis(redis().url);
  const broker = await createRedisBroker({ url: redis().url, prefix: 'batchfail', commandTimeoutMs: 300 });
  try {
    const ok = await broker.publish('a', ['a'], '1');
    // Every script call fails while Redis refuses scripts that write (a replica of nothing).
    await admin.config('SET', 'min-replicas-to-write', '1');
    const failed = await Promise.allSettled([broker.publish('a', ['a'], '2'), broker.publish('a', ['a'], '3')]);
    expect(failed.map((r) => r.status === 'rejected' && (r.reason as { code?: string }).code)).toEqual(['unavailable', 'unavailable']);
    await admin.config('SET', 'min-replicas-to-write', '0');
    const next = await Promise.all([broker.publish('a', ['a'], '4'), broker.publish('a', ['a'], '5')]);
    expect(next.map((e) => e.position)).toEqual([ok.position + 1, ok.position + 2]);
  } finally {
    await broker.close();
    admin.disconnect();
  }
});
