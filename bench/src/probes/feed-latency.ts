/**
 * What the Redis broker adds to each delivery: the time from `broker.publish()` to the entry
 * reaching another process's feed listener (the path every delivery of a Redis hub takes), at
 * S2's rate (20 publishes/s) and in bursts, against the memory broker's publish-to-listener time.
 *
 *   tsx src/probes/feed-latency.ts [count]
 */
import { performance } from 'node:perf_hooks';
import { createMemoryBroker, type Broker } from '@cometkit/core';
import { createRedisBroker } from '@cometkit/redis';
import { startRedis } from '../harness/redis-server';

const COUNT = Number(process.argv[2] ?? 200);

async function measure(publisher: Broker, listener: Broker, gapMs: number): Promise<number[]> {
  const sent = new Map<string, number>();
  const took: number[] = [];
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const stop = listener.onEntry((entry) => {
    const at = sent.get(entry.payload);
    if (at === undefined) return;
    took.push(performance.now() - at);
    if (took.length === COUNT) done();
  });
  for (let i = 0; i < COUNT; i++) {
    const payload = `{"n":${i},"r":${Math.random()}}`;
    sent.set(payload, performance.now());
    void publisher.publish('bench/feed', ['bench', 'feed'], payload);
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await all;
  stop();
  return took.sort((a, b) => a - b);
}

const pct = (sorted: number[], p: number): string => sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!.toFixed(3);

const redis = await startRedis();
try {
  const a = await createRedisBroker({ url: redis.url, prefix: 'feedlat' });
  const b = await createRedisBroker({ url: redis.url, prefix: 'feedlat' });
  const memory = createMemoryBroker();
  for (const [name, publisher, listener] of [['memory broker, same process', memory, memory], ['redis, another broker (process)', a, b], ['redis, the publishing broker', a, a]] as const) {
    const paced = await measure(publisher, listener, 50);
    console.log(`${name}: paced 20/s p50 ${pct(paced, 50)} ms p99 ${pct(paced, 99)} ms max ${paced[paced.length - 1]!.toFixed(3)} ms`);
  }
  await Promise.all([a.close(), b.close(), memory.close()]);
} finally {
  await redis.stop();
}
