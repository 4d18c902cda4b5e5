import { parseCursor } from '@cometkit/protocol';
import { postJson, drivers, receive, type Frame } from '@cometkit/core/testing';
import { Collector } from '../../../bayeux/test/support/collector';
import { fayeClient } from '../../../bayeux/test/support/faye';
import { connect, deliveries, handshake, send, subscribe } from '../../../bayeux/test/support/wire';
import { startHubProcess, type HubProcess } from '../support/hub-processes';
import { useRedisServer } from '../support/redis-server';
import { startRoundRobin, type RoundRobin } from '../support/round-robin';

// Three server processes on three ports share one Redis; every request of a client goes to the
// next process in turn (a round-robin balancer, no sticky sessions): 10,000 messages, as issue 12
// asks (about 30 s; MP_MESSAGES sets another size while working on it).
const COUNT = Number(process.env.MP_MESSAGES ?? 10_000);
const redis = useRedisServer();
let processes: HubProcess[] = [];
let balancer: RoundRobin;

beforeAll(async () => {
  processes = await Promise.all((['express', 'withComet', 'express'] as const).map((kind) => startHubProcess(kind, redis().url, 'multi')));
  balancer = await startRoundRobin(processes.map((p) => p.origin));
}, 30_000);
afterAll(async () => {
  await balancer?.close();
  await Promise.all(processes.map((p) => p.stop()));
});

// Publishers per process, each one POST at a time: a few in flight per process, as an app's
// request handlers publish, so the run is not one long chain of round trips.
const LANES = 4;

/** Publishes 0…COUNT-1 over HTTP: each process every third one, over LANES publishers of its own. */
async function publishFromAll(): Promise<void> {
  const step = processes.length * LANES;
  await Promise.all(
    processes.flatMap((p, k) =>
      Array.from({ length: LANES }, async (_, lane) => {
        for (let i = k + processes.length * lane; i < COUNT; i += step) {
          const result = await postJson(`${p.mount}/publish`, { channel: 'mp', data: { i, from: k, lane } });
          if (result.status !== 200) throw new Error(`publish ${i} on process ${k}: ${result.status} ${result.text}`);
        }
      }),
    ),
  );
}

it(`every transport and a Faye client, moving from process to process on each request, get all ${COUNT} messages once, in one order`, async () => {
  const start = (await postJson(`${processes[0]!.mount}/publish`, { channel: 'setup', data: 'start' })).json<{ cursor: string }>().cursor;
  const mounts = processes.map((p) => p.mount);
  const clients = drivers.map((driver) => receive(driver, mounts, 'channel=mp', start, COUNT, 120_000));
  // Faye's own Node client, every request of which the balancer sends to the next process.
  const faye = fayeClient(`${balancer.origin}/bayeux`);
  const servedBefore = [...balancer.served];
  const fayeGot = new Collector<{ i: number; from: number; lane: number }>();
  await faye.subscribe('/mp', fayeGot.push as (data: unknown) => void);
  await publishFromAll();
  const results = await Promise.all(clients);
  await fayeGot.until(COUNT);
  await faye.disconnect();

  const positionOf = (m: Frame): number => parseCursor(m.cursor!)!.position;
  const reference = results[0]!.messages.map((m) => [m.cursor, m.data]);
  for (const [index, { messages, requests }] of results.entries()) {
    const name = drivers[index]!.name;
    // All of them, each once: the cursors are consecutive positions after the start.
    expect([name, messages.map(positionOf)]).toEqual([name, Array.from({ length: COUNT }, (_, i) => parseCursor(start)!.position + 1 + i)]);
    expect([name, new Set(messages.map((m) => (m.data as { i: number }).i)).size]).toEqual([name, COUNT]);
    // In one order: the same for every client, whatever process served which request.
    expect([name, messages.map((m) => [m.cursor, m.data])]).toEqual([name, reference]);
    // Each publisher's publishes (one at a time, each answered before the next) keep their order in the shared log.
    for (let k = 0; k < processes.length; k++) {
      for (let lane = 0; lane < LANES; lane++) {
        const own = messages.map((m) => m.data as { i: number; from: number; lane: number }).filter((d) => d.from === k && d.lane === lane).map((d) => d.i);
        expect(own).toEqual(Array.from({ length: own.length }, (_, n) => k + processes.length * lane + processes.length * LANES * n));
      }
    }
    // It did move: more requests than processes, so each process served it.
    expect([name, requests > processes.length]).toEqual([name, true]);
  }
  // Faye: the same messages in the same order (the log's), each once, served by every process.
  expect(fayeGot.items).toEqual(reference.map(([, data]) => data));
  expect(balancer.served.every((n, k) => n - servedBefore[k]! >= 2)).toBe(true);
}, 150_000);

/** Resolves once `origin`'s hub holds `count` Bayeux connects (each check is a request; bounded). */
async function untilHeldOn(origin: string, count = 1): Promise<void> {
  for (let attempt = 0; attempt < 1_000; attempt++) {
    const stats = (await (await fetch(`${origin}/stats`)).json()) as { connectionsByTransport: Record<string, number> };
    if ((stats.connectionsByTransport.bayeux ?? 0) >= count) return;
  }
  throw new Error(`${origin} never held ${count} Bayeux connects`);
}

describe('one Bayeux session across three processes (no sticky sessions)', () => {
  const bayeux = (k: number): string => `${processes[k]!.origin}/bayeux`;
  const publishOn = async (k: number, channel: string, data: unknown): Promise<void> => {
    expect((await postJson(`${processes[k]!.mount}/publish`, { channel, data })).status).toBe(200);
  };

  it('a handshake on A, a subscribe on B and a connect on C are one session; a connect held on A is answered by a publish on B', async () => {
    const id = await handshake(bayeux(0));
    expect((await subscribe(bayeux(1), id, '/s/one')).successful).toBe(true);
    expect((await connect(bayeux(2), id, { advice: { timeout: 0 } }))[0]).toMatchObject({ successful: true, clientId: id });
    const held = connect(bayeux(0), id);
    await untilHeldOn(processes[0]!.origin);
    await publishOn(1, 's/one', 'from B');
    expect(deliveries(await held)).toEqual([{ channel: '/s/one', data: 'from B' }]);
    // Acknowledged by the next connect, wherever it goes: nothing twice.
    await publishOn(2, 's/one', 'from C');
    expect(deliveries(await connect(bayeux(1), id, { advice: { timeout: 0 } })).map((d) => d.data)).toEqual(['from C']);
  });

  it('a subscribe on B while a connect is held on A with the old subscriptions loses nothing of the new channel', async () => {
    const id = await handshake(bayeux(0));
    await subscribe(bayeux(0), id, '/s/old');
    await connect(bayeux(0), id, { advice: { timeout: 0 } });
    const held = connect(bayeux(0), id);
    await untilHeldOn(processes[0]!.origin);
    expect((await subscribe(bayeux(1), id, '/s/new')).successful).toBe(true);
    await publishOn(1, 's/new', 'new');
    await publishOn(1, 's/old', 'old');
    const first = deliveries(await held).map((d) => d.data);
    const next = deliveries(await connect(bayeux(2), id, { advice: { timeout: 0 } })).map((d) => d.data);
    expect([...first, ...next]).toEqual(['new', 'old']);
  });

  it('a disconnect on B ends the connect held on A (at its hold time: unknown client, handshake advice)', async () => {
    const id = await handshake(bayeux(0));
    await subscribe(bayeux(0), id, '/s/gone');
    const held = connect(bayeux(0), id);
    await untilHeldOn(processes[0]!.origin);
    expect((await send(bayeux(1), [{ channel: '/meta/disconnect', clientId: id }]))[0]).toMatchObject({ successful: true });
    expect((await held)[0]).toMatchObject({ successful: false, error: `402:${id}:Unknown client`, advice: { reconnect: 'handshake' } });
    expect((await connect(bayeux(2), id, { advice: { timeout: 0 } }))[0]).toMatchObject({ successful: false, advice: { reconnect: 'handshake' } });
  });
});
