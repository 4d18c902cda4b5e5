import { startCometd } from '../support/cometd';
import { Collector } from '../support/collector';
import { cutter } from '../support/cut';
import { fayeClient } from '../support/faye';
import { startBayeux, type BayeuxServer } from '../support/servers';

let s: BayeuxServer | undefined;
afterEach(async () => {
  await s?.close();
  s = undefined;
});

it('Faye → CometD and CometD → Faye on one channel', async () => {
  s = await startBayeux(undefined, { bayeux: { timeoutMs: 5_000, publishing: true } });
  const faye = fayeClient(s.url);
  const cometd = await startCometd(s.url);
  try {
    await cometd.call('handshake');
    await cometd.call('subscribe', { channel: '/mix' });
    const fromCometd = new Collector();
    await faye.subscribe('/mix', fromCometd.push);
    await faye.publish('/mix', { from: 'faye' });
    await cometd.call('publish', { channel: '/mix', data: { from: 'cometd' } });
    expect(await fromCometd.until(2)).toEqual([{ from: 'faye' }, { from: 'cometd' }]);
    await cometd.next(() => cometd.events.filter((e) => e.event === 'message').length >= 2);
    expect(cometd.events.filter((e) => e.event === 'message').map((e) => e.data)).toEqual([{ from: 'faye' }, { from: 'cometd' }]);
  } finally {
    await faye.disconnect();
    await cometd.close();
  }
});

it('one channel world: hub.publish reaches Faye on /chat/*, Faye’s publish reaches the hub’s long-poll, in one cursor order', async () => {
  s = await startBayeux(undefined, { bayeux: { timeoutMs: 5_000, publishing: true } });
  const faye = fayeClient(s.url);
  try {
    const got = new Collector();
    await faye.subscribe('/chat/*', got.push);
    const { cursor } = await s.hub.publish('chat/room', { from: 'hub' });
    await faye.publish('/chat/room', { from: 'faye' });
    expect(await got.until(2)).toEqual([{ from: 'hub' }, { from: 'faye' }]);
    const poll = (await (await fetch(`${s.origin}/comet/poll?channel=chat/room&cursor=${encodeURIComponent(cursor)}`)).json()) as { messages: { data: unknown; channel: string }[] };
    expect(poll.messages).toEqual([expect.objectContaining({ channel: 'chat/room', data: { from: 'faye' } })]);
  } finally {
    await faye.disconnect();
  }
});

/** Cuts every other connect answer that carries messages, up to `limit`, at the moment it would be written. */
function everyOtherDelivery(limit: number): ReturnType<typeof cutter> {
  let seen = 0;
  const cut = cutter((_req, body) => body.includes('"data":') && body.includes('/meta/connect') && cut.cuts() < limit && seen++ % 2 === 0);
  return cut;
}

/** Publishes `total` messages two at a time, each pair once `received(n)` says n have come (a loss fails by the test's timeout). */
async function publishPaced(server: BayeuxServer, total: number, received: (count: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < total; i++) {
    await server.hub.publish('drops', i);
    // Two at a time, so many connect answers carry messages (and may be cut).
    if (i % 2 === 1) await received(i + 1);
  }
}

it('Faye loses nothing across 200 connect answers cut on the way', async () => {
  const cut = everyOtherDelivery(200);
  s = await startBayeux(undefined, { bayeux: { timeoutMs: 5_000, publishing: true }, wrap: cut.wrap });
  const faye = fayeClient(s.url);
  try {
    const got = new Collector();
    await faye.subscribe('/drops', got.push);
    await publishPaced(s, 800, (n) => got.until(n));
    expect(cut.cuts()).toBe(200);
    expect(got.items).toEqual([...Array(800).keys()]);
  } finally {
    await faye.disconnect();
  }
});

it('CometD with the ack extension loses nothing across 200 connect answers cut on the way', async () => {
  const cut = everyOtherDelivery(200);
  s = await startBayeux(undefined, { bayeux: { timeoutMs: 5_000, publishing: true }, wrap: cut.wrap });
  const cometd = await startCometd(s.url, { ack: true, backoff: 1 });
  try {
    const hs = await cometd.call<{ successful: boolean }>('handshake');
    expect(hs.successful).toBe(true);
    expect(cometd.events.find((e) => e.event === 'handshake')?.ext).toMatchObject({ ack: true });
    await cometd.call('subscribe', { channel: '/drops' });
    const received = (): unknown[] => cometd.events.filter((e) => e.event === 'message').map((e) => e.data);
    await publishPaced(s, 800, (n) => cometd.next(() => received().length >= n));
    expect(cut.cuts()).toBe(200);
    expect(received()).toEqual([...Array(800).keys()]);
  } finally {
    await cometd.close();
  }
});
