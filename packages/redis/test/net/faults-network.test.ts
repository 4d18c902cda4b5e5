import { isCometError } from '@cometkit/core';
import { type LogEntry } from '@cometkit/core/kit';
import { createRedisBroker } from '@cometkit/redis';
import { until, drivers } from '@cometkit/core/testing';
import { follow, publishRetrying, startRedisHub, type RedisHub } from '../support/follow';
import { useRedisServer } from '../support/redis-server';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';

// The link to Redis cut or slowed by a TCP proxy in front of a real redis-server.
const redis = useRedisServer();
let proxy: TcpProxy;
let served: RedisHub | undefined;
beforeEach(async () => {
  proxy = await startTcpProxy(redis().port);
});
afterEach(async () => {
  await served?.close();
  served = undefined;
  await proxy.close();
});

it('a cut connection: the feed backfills from its last position, nothing skipped or repeated (no help from the engine)', async () => {
  const behind = await createRedisBroker({ url: `redis://127.0.0.1:${proxy.port}`, prefix: 'cut', commandTimeoutMs: 500 });
  const direct = await createRedisBroker({ url: redis().url, prefix: 'cut' });
  const fed: LogEntry[] = [];
  const stop = behind.onEntry((entry) => fed.push(entry));
  try {
    let n = 0;
    for (let cut = 1; cut <= 4; cut++) {
      for (let i = 0; i < 25; i++) await direct.publish('c', ['c'], String(n++));
      await until(() => fed.length === cut * 50 - 25, 5_000, 'the feed to be in step');
      proxy.cut();
      // Published by another process while this one's feed is down.
      for (let i = 0; i < 25; i++) await direct.publish('c', ['c'], String(n++));
      await until(() => proxy.accepted >= 2 + 2 * cut, 10_000, 'both connections to be made again');
    }
    await until(() => fed.length >= 200, 10_000, () => `200 entries fed, got ${fed.length}`);
    expect(fed.map((e) => e.position)).toEqual(Array.from({ length: 200 }, (_, i) => i + 1));
    expect(fed.map((e) => Number(e.payload))).toEqual(Array.from({ length: 200 }, (_, i) => i));
  } finally {
    stop();
    await behind.close();
    await direct.close();
  }
});

it('a slow or stalled Redis: calls time out as unavailable (503), and it all resumes by itself; every acknowledged message reaches the client once, in order', async () => {
  served = await startRedisHub({ url: `redis://127.0.0.1:${proxy.port}`, prefix: 'slow', commandTimeoutMs: 200 });
  const { hub, server } = served;
  const start = await publishRetrying(hub, 'setup', 'start');
  const acknowledged: unknown[] = [];
  for (let i = 0; i < 5; i++) acknowledged.push((await hub.publish('feed', i), i));

  for (const fault of ['slow', 'stalled'] as const) {
    if (fault === 'slow') proxy.delay(600);
    else proxy.hold(true);
    const failed = await hub.publish('feed', `${fault}, in flight`).catch((error: unknown) => error);
    expect(isCometError(failed) && failed.code).toBe('unavailable');
    const refused = await fetch(`${server.mount}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"channel":"feed","data":"refused"}' });
    expect([refused.status, refused.headers.get('retry-after')]).toEqual([503, '2']);
    proxy.delay(0);
    proxy.hold(false);
    const value = `after ${fault}`;
    await publishRetrying(hub, 'feed', value);
    acknowledged.push(value);
  }

  // Messages whose publish timed out may or may not be in the log (at most once each); every
  // acknowledged one is, once, in publish order.
  const { messages } = await follow(drivers.find((d) => d.name === 'poll')!, server.mount, 'feed', start, acknowledged.length);
  const got = messages.map((m) => m.data);
  expect(got.filter((d) => acknowledged.includes(d))).toEqual(acknowledged);
  expect(new Set(got.map(String)).size).toBe(got.length);
}, 30_000);
