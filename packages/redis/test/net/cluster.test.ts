import { crc32 } from 'node:zlib';
import { Cluster, Redis } from 'ioredis';
import type { Broker } from '@cometkit/core';
import type { LogEntry } from '@cometkit/core/kit';
import { brokerAudits, type BrokerHarness } from '@cometkit/core/testing';
import { formatCursor, isAtOrBefore, parseCursor } from '@cometkit/protocol';
import { sessionStoreAudits, type SessionStoreHarness } from '@cometkit/bayeux/testing';
import { createRedisBroker, createRedisSessionStore, type RedisSessionStore } from '@cometkit/redis';
import { connect, deliveries, handshake, subscribe } from '../../../bayeux/test/support/wire';
import { postJson, request, until, drivers, receive, type Frame } from '@cometkit/core/testing';
import { follow, publishRetrying, startRedisHub, type RedisHub } from '../support/follow';
import { startHubProcess, type HubProcess } from '../support/hub-processes';
import { useRedisCluster } from '../support/redis-cluster';

// A log of four partitions on a real Redis Cluster of three masters on loopback.
const cluster = useRedisCluster();
let prefixes = 0;
const nodes = (): string[] => [...cluster().nodes];

/** What a restart of every master without persistence leaves: each partition's history gone. */
async function flushMasters(): Promise<void> {
  await Promise.all(
    cluster().masters.map(async (master) => {
      const admin = new Redis(master.port, '127.0.0.1');
      await admin.flushall();
      admin.disconnect();
    }),
  );
}

/** The port of the master holding `key`'s slot (partition N of 4 under a prefix: `ownerOf(partitionKey(prefix, N))`). */
async function ownerOf(key: string): Promise<number> {
  const admin = new Redis(cluster().masters[0]!.port, '127.0.0.1');
  try {
    const slots = (await admin.cluster('SLOTS')) as unknown as [number, number, [string, number]][];
    const slot = await admin.cluster('KEYSLOT', key);
    return slots.find(([from, to]) => from <= slot && slot <= to)![2][1];
  } finally {
    admin.disconnect();
  }
}

const partitionKey = (prefix: string, partition: number): string => `${prefix}:{log:${partition}/4}:seq`;

/** A channel name that lives in `partition` of 4. */
function channelIn(partition: number, stem = 'k'): string {
  for (let i = 0; ; i++) if (crc32(`${stem}/${i}`) % 4 === partition) return `${stem}/${i}`;
}

const harness: BrokerHarness = {
  create: (history) => createRedisBroker({ cluster: nodes(), prefix: `cl${++prefixes}`, partitions: 4, ...history }),
  async loseHistory() {
    await flushMasters();
    return createRedisBroker({ cluster: nodes(), prefix: `cl${prefixes}`, partitions: 4 });
  },
};

describe('the broker contract on a Redis Cluster, four partitions', () => {
  it.each(brokerAudits.map((audit) => [audit.name, audit] as const))('%s', (_name, audit) => audit.run(harness));
});

it('takes an ioredis Cluster as well as a list of nodes, and leaves it alone', async () => {
  const given = new Cluster(nodes(), { lazyConnect: true });
  const broker = await createRedisBroker({ cluster: given, prefix: 'given', partitions: 2 });
  try {
    const entry = await broker.publish('a/b', ['a', 'b'], '"hello"');
    expect(entry.positions).toHaveLength(2);
    expect(given.status).toBe('wait'); // never connected: the broker opened its own
  } finally {
    await broker.close();
    given.disconnect();
  }
});

// Bayeux sessions on the cluster: each session's keys under its own hash tag, so each operation's
// script runs on the one node that holds them. `another` is a second Cluster connection, as
// another process has.
const ownConnections = new WeakMap<object, Cluster>();
const sessionPrefixOf = new WeakMap<object, string>();
async function clusterStore(prefix: string): Promise<RedisSessionStore> {
  const connection = new Cluster(nodes());
  const store = await createRedisSessionStore({ connection, prefix });
  ownConnections.set(store, connection);
  sessionPrefixOf.set(store, prefix);
  return store;
}
const sessionHarness: SessionStoreHarness = {
  create: () => clusterStore(`clsessions${++prefixes}`),
  another: (store) => clusterStore(sessionPrefixOf.get(store)!),
  async close(store) {
    await (store as RedisSessionStore).close();
    ownConnections.get(store)?.disconnect();
  },
};

describe('the Bayeux session store contract on a Redis Cluster', () => {
  it.each(sessionStoreAudits.map((audit) => [audit.name, audit] as const))('%s', (_name, audit) => audit.run(sessionHarness));
});

// Two server processes on the cluster; every request of a client goes to the other process.
describe('two processes on the cluster', () => {
  const COUNT = 300;
  const CHANNELS = 6; // mp/0 … mp/5: spread over the four partitions
  let processes: HubProcess[] = [];
  beforeAll(async () => {
    const env = { CLUSTER: nodes().join(','), PARTITIONS: '4' };
    processes = await Promise.all((['express', 'withComet'] as const).map((kind) => startHubProcess(kind, '', 'clmp', 15_000, env)));
  }, 30_000);
  afterAll(() => Promise.all(processes.map((p) => p.stop())));

  it(`every transport, alternating between them, gets all ${COUNT} messages once, in one order per channel`, async () => {
    const start = (await postJson(`${processes[0]!.mount}/publish`, { channel: 'setup', data: 'start' })).json<{ cursor: string }>().cursor;
    expect(parseCursor(start)?.positions).toHaveLength(4);
    const mounts = processes.map((p) => p.mount);
    const clients = drivers.map((driver) => receive(driver, mounts, 'channel=mp/*', start, COUNT, 60_000));
    await Promise.all(
      processes.map(async (p, k) => {
        for (let i = k; i < COUNT; i += processes.length) {
          const result = await postJson(`${p.mount}/publish`, { channel: `mp/${i % CHANNELS}`, data: { i, from: k } });
          if (result.status !== 200) throw new Error(`publish ${i} on process ${k}: ${result.status} ${result.text}`);
        }
      }),
    );
    const results = await Promise.all(clients);
    const perChannel = (messages: readonly Frame[]): Record<string, number[]> => {
      const byChannel: Record<string, number[]> = {};
      for (const m of messages) (byChannel[m.channel!] ??= []).push((m.data as { i: number }).i);
      return byChannel;
    };
    const reference = perChannel(results[0]!.messages);
    for (const [index, { messages, requests }] of results.entries()) {
      const name = drivers[index]!.name;
      // All of them, each once.
      expect([name, messages.length, new Set(messages.map((m) => (m.data as { i: number }).i)).size]).toEqual([name, COUNT, COUNT]);
      // One order per channel, the same for every client whatever process served it; each
      // process's own publishes in the order it made them.
      expect([name, perChannel(messages)]).toEqual([name, reference]);
      for (const list of Object.values(perChannel(messages))) {
        for (let k = 0; k < processes.length; k++) {
          const own = list.filter((i) => i % processes.length === k);
          expect(own).toEqual([...own].sort((a, b) => a - b));
        }
      }
      // Every cursor moves forward: none names a place at or before the one before it.
      for (let i = 1; i < messages.length; i++) {
        expect([name, i, isAtOrBefore(parseCursor(messages[i]!.cursor!)!, parseCursor(messages[i - 1]!.cursor!)!)]).toEqual([name, i, false]);
      }
      expect([name, requests > processes.length]).toEqual([name, true]);
    }
  }, 90_000);

  it('one Bayeux session across both processes, its keys on the cluster: handshake on A, subscribe on B, connect on A', async () => {
    const bayeux = (k: number): string => `${processes[k]!.origin}/bayeux`;
    const id = await handshake(bayeux(0));
    expect((await subscribe(bayeux(1), id, '/cl/session')).successful).toBe(true);
    await connect(bayeux(1), id, { advice: { timeout: 0 } });
    const held = connect(bayeux(0), id);
    expect((await postJson(`${processes[1]!.mount}/publish`, { channel: 'cl/session', data: 'from B' })).status).toBe(200);
    expect(deliveries(await held)).toEqual([{ channel: '/cl/session', data: 'from B' }]);
  });
});

// Each partition's feed is a shard channel of its keys' slot: on the node that holds it only.
describe('sharded pub/sub on the cluster', () => {
  const PREFIX = 'clshard';
  const feedOf = (partition: number): string => `${PREFIX}:{log:${partition}/4}:feed`;
  const admins = new Map<number, Redis>();
  const admin = (port: number): Redis => {
    if (!admins.has(port)) admins.set(port, new Redis(port, '127.0.0.1'));
    return admins.get(port)!;
  };
  /** The shard subscribers of `channel` on the master at `port`, and its plain subscribers. */
  async function subscribersOn(port: number, channel: string): Promise<{ sharded: number; plain: number }> {
    const sharded = (await admin(port).call('PUBSUB', 'SHARDNUMSUB', channel)) as [string, number];
    const plain = (await admin(port).call('PUBSUB', 'NUMSUB', channel)) as [string, number];
    return { sharded: Number(sharded[1]), plain: Number(plain[1]) };
  }
  /** Checks again (bounded) until the owner of every partition shows `count` shard subscribers of its feed. */
  async function untilShardSubscribers(owners: readonly number[], count: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const seen = await Promise.all(owners.map((port, partition) => subscribersOn(port, feedOf(partition))));
      if (seen.every((s) => s.sharded === count)) return;
      if (attempt >= 400) throw new Error(`shard subscribers: ${JSON.stringify(seen)}, expected ${count} each`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
  /** Resolves with the first `count` entries of `channels` the broker's feed dispatches, as each channel's payloads in order. */
  function collect(broker: Broker, channels: readonly string[], count: number): Promise<Record<string, string[]>> {
    const seen: Record<string, string[]> = {};
    let total = 0;
    return new Promise((resolve) => {
      const stop = broker.onEntry((entry: LogEntry) => {
        if (!channels.includes(entry.channel)) return;
        (seen[entry.channel] ??= []).push(entry.payload);
        if (++total === count) {
          stop();
          resolve(seen);
        }
      });
    });
  }
  /** Publishes `payloads[i]` on `channels[i % 4]` (all at once: one script call per partition), and what each channel should get. */
  async function publishAll(broker: Broker, channels: readonly string[], payloads: readonly string[]): Promise<Record<string, string[]>> {
    const expected: Record<string, string[]> = {};
    payloads.forEach((payload, i) => (expected[channels[i % channels.length]!] ??= []).push(payload));
    await Promise.all(payloads.map((payload, i) => broker.publish(channels[i % channels.length]!, channels[i % channels.length]!.split('/'), payload)));
    return expected;
  }
  afterAll(() => {
    for (const redis of admins.values()) redis.disconnect();
  });

  it("subscribes each partition's feed on its own master only, SPUBLISHes there, and every process gets a node's messages in order", async () => {
    // No idle checks: what the feeds bring here comes by pub/sub, or by a resubscribe's backfill.
    const options = { cluster: nodes(), prefix: PREFIX, partitions: 4, checkIntervalMs: 600_000 };
    const [a, b] = await Promise.all([createRedisBroker(options), createRedisBroker(options)]);
    const owners = await Promise.all([0, 1, 2, 3].map((partition) => ownerOf(partitionKey(PREFIX, partition))));
    const own = new Redis(owners[0]!, '127.0.0.1');
    try {
      const ports = cluster().masters.map((m) => m.port);
      for (const [partition, owner] of owners.entries()) {
        for (const port of ports) {
          // Two processes subscribed on the owner, none elsewhere, and no plain subscription anywhere.
          expect([partition, port, await subscribersOn(port, feedOf(partition))]).toEqual([partition, port, { sharded: port === owner ? 2 : 0, plain: 0 }]);
        }
      }
      // A client of our own on partition 0's master hears its batches on the shard channel.
      const heard = new Promise<string>((resolve) => own.once('smessage', (_channel: string, text: string) => resolve(text)));
      await own.ssubscribe(feedOf(0));

      const channels = [0, 1, 2, 3].map((partition) => channelIn(partition, 'shard'));
      const payloads = Array.from({ length: 40 }, (_, i) => `"${i}"`);
      const received = [collect(a, channels, payloads.length), collect(b, channels, payloads.length)];
      const expected = await publishAll(a, channels, payloads);
      const batch = JSON.parse(await heard) as unknown[];
      expect(batch.slice(3, 5)).toEqual([channels[0], '"0"']);
      expect(await Promise.all(received)).toEqual([expected, expected]);

      // Every shard subscription dropped at once (as a failover does): ioredis makes the
      // connections again and resubscribes, and the feeds read back what went by meanwhile.
      await Promise.all(ports.map((port) => admin(port).call('CLIENT', 'KILL', 'TYPE', 'pubsub')));
      const more = Array.from({ length: 8 }, (_, i) => `"after ${i}"`);
      const later = [collect(a, channels, more.length), collect(b, channels, more.length)];
      const expectedLater = await publishAll(a, channels, more);
      expect(await Promise.all(later)).toEqual([expectedLater, expectedLater]);
      await untilShardSubscribers(owners, 2);
    } finally {
      own.disconnect();
      await Promise.all([a.close(), b.close()]);
    }
  }, 30_000);

  it('a one-partition log on the cluster feeds by its shard channel too; shardedPubSub: false keeps plain pub/sub', async () => {
    const [sharded, plain] = await Promise.all([
      createRedisBroker({ cluster: nodes(), prefix: 'clshard1' }),
      createRedisBroker({ cluster: nodes(), prefix: 'clplain4', partitions: 4, shardedPubSub: false }),
    ]);
    try {
      const owner = await ownerOf('clshard1:{log}:seq');
      expect(await subscribersOn(owner, 'clshard1:{log}:feed')).toEqual({ sharded: 1, plain: 0 });
      const fed = collect(sharded, ['one/a'], 1);
      await sharded.publish('one/a', ['one', 'a'], '"x"');
      expect(await fed).toEqual({ 'one/a': ['"x"'] });
      // Plain pub/sub: one SUBSCRIBE connection on some node for all four channels, no shard subscription.
      const counts = await Promise.all(cluster().masters.map((m) => subscribersOn(m.port, 'clplain4:{log:0/4}:feed')));
      expect([counts.reduce((n, c) => n + c.plain, 0), counts.reduce((n, c) => n + c.sharded, 0)]).toEqual([1, 0]);
      const channel = channelIn(0, 'plain');
      const plainFed = collect(plain, [channel], 1);
      await plain.publish(channel, channel.split('/'), '"y"');
      expect(await plainFed).toEqual({ [channel]: ['"y"'] });
    } finally {
      await Promise.all([sharded.close(), plain.close()]);
    }
  });
});

// Last: it kills a master, so the cluster is down one node for whatever would come after.
describe('a partition whose master is killed', () => {
  let served: RedisHub | undefined;
  afterAll(() => served?.close());

  it('refuses publishes to it with 503, the other partitions go on, nothing crashes', async () => {
    // ioredis gives a closing link to the dead node 2 s (disconnectTimeout) to close, which would
    // outlive the test; a shorter wait changes nothing else.
    // One recent entry kept per partition: a read from further back needs Redis.
    served = await startRedisHub({ cluster: nodes(), partitions: 4, prefix: 'clkill', checkIntervalMs: 200, recentCount: 4, redis: { disconnectTimeout: 100 } });
    const { hub, server } = served;
    // Which master holds each partition, and a channel in each.
    const ports = await Promise.all([0, 1, 2, 3].map((partition) => ownerOf(partitionKey('clkill', partition))));
    const victim = ports[0]!;
    const alive = ports.findIndex((port) => port !== victim);
    expect(alive).toBeGreaterThan(0); // the four partitions are not all on one master
    const dead = channelIn(0);
    const live = channelIn(alive);

    const start = (await hub.publish(live, 'before')).cursor;
    const sse = drivers.find((d) => d.name === 'sse')!;
    const following = follow(sse, server.mount, live, start, 4, 30_000);
    // Two entries in the dead partition, both fed here before the kill: its recent entry no longer reaches back to `start`.
    await hub.publish(dead, 'before the kill');
    const lastDead = parseCursor((await hub.publish(dead, 'last before the kill')).cursor)!.positions![0]!;
    await until(() => hub.engine.head().positions![0]! >= lastDead, 5_000, "the feed to bring the dead partition's entries");
    await cluster().masters.find((m) => m.port === victim)!.stop('SIGKILL');

    const refused = await postJson(`${server.mount}/publish`, { channel: dead, data: 'lost' });
    expect([refused.status, refused.headers['retry-after'], refused.json().error.code]).toEqual([503, '2', 'unavailable']);
    for (let i = 0; i < 4; i++) await publishRetrying(hub, live, i);
    const { messages, frames } = await following;
    expect(messages.map((m) => m.data)).toEqual([0, 1, 2, 3]);
    expect(frames.filter((f) => f.type === 'gap')).toEqual([]);
    // A client of the live channel resumes from a cursor that names every partition, the dead one too.
    const resumed = await request(`${server.mount}/poll?channel=${live}&cursor=${start}`);
    expect([resumed.status, resumed.json<{ messages: { data: unknown }[] }>().messages.map((m) => m.data)]).toEqual([200, [0, 1, 2, 3]]);
    // A pattern spans every partition. Near the head, every partition's recent entries answer it, the dead one's too.
    const head = hub.engine.head();
    const behind = head.positions!.map((position, index) => (index === alive ? position - 1 : position));
    const near = await request(`${server.mount}/poll?channel=k/*&cursor=${formatCursor({ epoch: head.epoch, position: head.position - 1, positions: behind })}`);
    expect([near.status, near.json<{ messages: { data: unknown }[] }>().messages.map((m) => m.data)]).toEqual([200, [3]]);
    // From further back its history read needs the dead partition, and is refused until it is back.
    const spanning = await request(`${server.mount}/poll?channel=k/*&cursor=${start}`);
    expect([spanning.status, spanning.headers['retry-after']]).toEqual([503, '2']);
    expect(hub.stats().connections).toBe(0);

    // Back without its data (no persistence): that partition has a new epoch, so the log has one.
    await cluster().masters.find((m) => m.port === victim)!.restart();
    await publishRetrying(hub, dead, 'after the restart');
    const epochBefore = start.split('-')[0];
    await until(() => hub.engine.head().epoch !== epochBefore, 10_000, 'the hub to see the new epoch');
    const after = (await request(`${server.mount}/poll?channel=${live}&cursor=${start}`)).json<{ gap?: { reason: string } }>();
    expect(after.gap?.reason).toBe('epoch');
  }, 45_000);
});
