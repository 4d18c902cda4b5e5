import { isCometError } from '@cometkit/core';
import { postJson, request, until, drivers } from '@cometkit/core/testing';
import { follow, publishRetrying, startRedisHub, type RedisHub } from '../support/follow';
import { startRedis, type RedisServer } from '../support/redis-server';

// Redis killed mid-stream (SIGKILL) and started again, with and without persistence, under a hub
// serving real clients over HTTP.
const poll = drivers.find((d) => d.name === 'poll')!;
const sse = drivers.find((d) => d.name === 'sse')!;
let redis: RedisServer;
let served: RedisHub;
afterEach(async () => {
  await served?.close();
  await redis?.dispose();
});

it('while Redis is down publishes get 503 + Retry-After (unavailable), held polls end with their cursor; once back, nothing acknowledged is lost or repeated', async () => {
  redis = await startRedis({ persistence: true });
  // The last 3 entries are kept in the process (recentCount): reads near the head need no Redis.
  served = await startRedisHub({ url: redis.url, prefix: 'outage', recentCount: 3 });
  const { hub, server } = served;
  const start = (await hub.publish('setup', 'start')).cursor;
  const held = poll.connect(server.mount, `channel=quiet&cursor=${start}`);
  await until(() => hub.stats().connections === 1, 5_000, 'the poll to be held');
  // Its history read went out before this publish on the same connection: once this is
  // acknowledged, the poll is live (held on the feed, not waiting on Redis).
  await hub.publish('setup', 'sync');
  const cursors: string[] = [];
  for (let i = 0; i < 5; i++) cursors.push((await hub.publish('feed', i)).cursor);
  const clients = [poll, sse].map((driver) => follow(driver, server.mount, 'feed', start, 10));
  // The recent entries are the ones the feed brought: wait for it to bring the last publish
  // (acknowledged by the append, which comes before the feed's message) before Redis goes.
  const last = Number(cursors[4]!.split('-')[1]);
  await until(() => hub.engine.head().position >= last, 5_000, 'the feed to bring the last publish');

  await redis.stop('SIGKILL');
  const refused = await postJson(`${server.mount}/publish`, { channel: 'feed', data: 'lost' });
  expect([refused.status, refused.headers['retry-after'], refused.json().error.code]).toEqual([503, '2', 'unavailable']);
  const rejected = await hub.publish('feed', 'lost').catch((error: unknown) => error);
  expect(isCometError(rejected) && rejected.code).toBe('unavailable');
  // A request that needs history now is refused the same way, and its client keeps its cursor.
  const resume = await request(`${server.mount}/poll?channel=feed&cursor=${start}`);
  expect([resume.status, resume.headers['retry-after']]).toEqual([503, '2']);
  // One near the head is answered from the entries this process keeps, Redis or not.
  const near = await request(`${server.mount}/poll?channel=feed&cursor=${cursors[2]}`);
  expect([near.status, near.json<{ messages: { data: unknown }[] }>().messages.map((m) => m.data)]).toEqual([200, [3, 4]]);
  const quiet = await held;
  await quiet.ended;
  expect([quiet.status, quiet.frames.filter((f) => f.type === 'message')]).toEqual([200, []]);
  expect(quiet.cursor()!.split('-')[0]).toBe(start.split('-')[0]); // its cursor, to resume from

  await redis.restart();
  for (let i = 5; i < 10; i++) await publishRetrying(hub, 'feed', i);
  for (const { messages, frames } of await Promise.all(clients)) {
    expect(messages.map((m) => m.data)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(frames.filter((f) => f.type === 'gap')).toEqual([]); // the log persisted: same epoch
  }
  expect(hub.stats().published).toBe(12);
}, 30_000);

it('Redis restarted without persistence: a new epoch, and every client is told of the gap, then gets what came after', async () => {
  redis = await startRedis();
  served = await startRedisHub({ url: redis.url, prefix: 'reset' });
  const { hub, server } = served;
  const start = (await hub.publish('setup', 'start')).cursor;
  const before = await hub.publish('feed', 'before');
  const live = follow(sse, server.mount, 'feed', start, 2);
  await until(() => hub.stats().delivered === 1, 5_000, 'the stream to have "before"');

  await redis.stop('SIGKILL');
  await redis.restart();
  const after = await publishRetrying(hub, 'feed', 'after');
  expect(after.slice(0, -2)).not.toBe(before.cursor.slice(0, -2));

  // A live stream ends when its log is replaced; resuming from its cursor, it gets the gap.
  const streamed = await live;
  expect(streamed.messages.map((m) => m.data)).toEqual(['before', 'after']);
  expect(streamed.frames.filter((f) => f.type === 'gap')).toEqual([expect.objectContaining({ reason: 'epoch' })]);
  const polled = await follow(poll, server.mount, 'feed', before.cursor, 1);
  expect(polled.frames.find((f) => f.type === 'gap')).toMatchObject({ reason: 'epoch', from: before.cursor });
  expect(polled.messages.map((m) => m.data)).toEqual(['after']);
}, 30_000);
