import { crc32 } from 'node:zlib';
import { Redis } from 'ioredis';
import { isAtOrBefore, parseCursor } from '@cometkit/protocol';
import { brokerAudits, type BrokerHarness } from '@cometkit/core/testing';
import { createRedisBroker } from '@cometkit/redis';
import { describeConformance, type BrokerKind, drivers, request } from '@cometkit/core/testing';
import { serverKinds } from '../support/server-kinds';
import { startRedisHub, type RedisHub } from '../support/follow';
import { useRedisServer } from '../support/redis-server';

// A log of four partitions on one redis-server: the broker contract and every transport, as on
// the one-partition log (the cluster run is in cluster.test.ts).
const redis = useRedisServer();
let prefixes = 0;

const harness: BrokerHarness = {
  create: (history) => createRedisBroker({ url: redis().url, prefix: `parts${++prefixes}`, partitions: 4, ...history }),
  async loseHistory() {
    const admin = new Redis(redis().url);
    await admin.flushall();
    admin.disconnect();
    return createRedisBroker({ url: redis().url, prefix: `parts${prefixes}`, partitions: 4 });
  },
};

describe('the broker contract on a Redis log of four partitions', () => {
  it.each(brokerAudits.map((audit) => [audit.name, audit] as const))('%s', (_name, audit) => audit.run(harness));
});

const partitioned: BrokerKind = {
  name: 'redis, 4 partitions',
  create: (history) => createRedisBroker({ url: redis().url, prefix: `partconf${++prefixes}`, partitions: 4, ...history }),
};

describeConformance({
  kinds: serverKinds.filter((kind) => kind.name === 'withComet'),
  brokers: [partitioned],
  drivers,
});

describe('a gap in one partition', () => {
  let served: RedisHub | undefined;
  afterAll(() => served?.close());

  it('is one expired gap for a client whose channels live there, the other partitions continue exactly; none for a client whose channels do not', async () => {
    served = await startRedisHub({ url: redis().url, prefix: `partgap${++prefixes}`, partitions: 4, maxCount: 3 });
    const { hub, server } = served;
    // Two channels in two partitions (CRC-32 of the name, modulo 4, as the README says).
    const channelIn = (partition: number): string => {
      for (let i = 0; ; i++) if (crc32(`g/${i}`) % 4 === partition) return `g/${i}`;
    };
    const [busy, calm] = [channelIn(1), channelIn(2)];
    const start = (await hub.publish(calm, 'c0')).cursor;
    for (let i = 0; i < 6; i++) await hub.publish(busy, `b${i}`); // three of them are evicted
    await hub.publish(calm, 'c1');
    await hub.publish(calm, 'c2');
    type Answer = { gap?: { reason: string; from: string }; messages: { data: string; cursor: string }[]; cursor: string };
    const both = (await request(`${server.mount}/poll?channels=${busy},${calm}&cursor=${start}`)).json<Answer>();
    expect(both.gap).toEqual({ reason: 'expired', from: start });
    expect(both.messages.map((m) => m.data).sort()).toEqual(['b3', 'b4', 'b5', 'c1', 'c2']);
    const calmOnly = (await request(`${server.mount}/poll?channel=${calm}&cursor=${start}`)).json<Answer>();
    expect([calmOnly.gap, calmOnly.messages.map((m) => m.data)]).toEqual([undefined, ['c1', 'c2']]);
    // Resuming from the answer's cursor: nothing more, nothing again (the poll is held, then answers empty).
    const next = parseCursor(both.cursor)!;
    expect(next.positions).toHaveLength(4);
    for (const m of both.messages) expect(isAtOrBefore(parseCursor(m.cursor)!, next)).toBe(true);
    // A cursor of another shape (one position, or three) is from another log: the epoch gap, then what history holds.
    for (const other of [`${start.split('-')[0]}-3`, `${start.split('-')[0]}-0_0_0`]) {
      const answer = (await request(`${server.mount}/poll?channel=${calm}&cursor=${other}`)).json<Answer>();
      expect([answer.gap?.reason, answer.messages.map((m) => m.data)]).toEqual(['epoch', ['c0', 'c1', 'c2']]);
    }
  }, 20_000);
});
