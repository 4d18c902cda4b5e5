import { Redis } from 'ioredis';
import { brokerAudits, type BrokerHarness } from '@cometkit/core/testing';
import { isAtOrBefore, parseCursor } from '@cometkit/protocol';
import { createRedisBroker } from '@cometkit/redis';
import { postJson } from '../../../test/support/http';
import { drivers, receive, type Frame } from '../../../test/support/transport-drivers';
import { startHubProcess, type HubProcess } from './support/hub-processes';
import { useRedisCluster } from './support/redis-cluster';

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
});
