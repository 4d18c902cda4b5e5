import { Collector } from '../support/collector';
import { fayeClient, fayeClients, ownAndAnothers } from '../support/faye';
import { mountKinds, startBayeux, type BayeuxServer } from '../support/servers';
import { untilHeld } from '../support/wire';

// Every test on each mount, over HTTP long-polling and over WebSocket (the handshake lists it
// when attached, and Faye then connects, subscribes and publishes over the socket).
const runs = mountKinds.flatMap((kind) => [
  { name: `${kind.name} over long-polling`, kind, webSocket: undefined },
  { name: `${kind.name} over WebSocket`, kind, webSocket: {} },
]);

describe.each(runs)('the faye npm client on $name', ({ kind, webSocket }) => {
  let s: BayeuxServer;
  const { client, disconnectAll } = fayeClients(() => s.url);
  beforeAll(async () => {
    s = await startBayeux(kind, { bayeux: { timeoutMs: 5_000, publishing: true }, webSocket });
  });
  afterEach(async () => {
    await disconnectAll();
  });
  afterAll(() => s.close());

  it('handshakes, subscribes, and receives its own and another client’s messages', async () => {
    const a = client();
    const b = client();
    expect(await ownAndAnothers(a, b)).toEqual([{ from: 'a' }, { from: 'b' }]);
    expect(a._dispatcher.clientId).toMatch(/^[0-9a-f]{40}$/);
    // Over WebSocket, one socket per client (faye-websocket.test.ts shows no connect went over HTTP).
    expect(s.ws?.size ?? 0).toBe(webSocket ? 2 : 0);
  });

  it('unsubscribes', async () => {
    const a = client();
    const off = new Collector();
    const on = new Collector();
    const subscription = a.subscribe('/u/off', off.push);
    await subscription;
    await a.subscribe('/u/on', on.push);
    await subscription.cancel();
    await a.publish('/u/off', 'lost');
    await a.publish('/u/on', 'marker');
    await on.until(1);
    expect(off.items).toEqual([]);
  });

  it('* matches one segment, ** one or more, neither the parent nor a sibling prefix', async () => {
    const a = client();
    const one = new Collector();
    const many = new Collector();
    await a.subscribe('/w/*', one.push);
    await a.subscribe('/w/**', many.push);
    for (const channel of ['/w', '/wx/a', '/w/a', '/w/a/b', '/end']) await a.publish(channel, channel);
    const end = new Collector();
    await a.subscribe('/end2', end.push);
    await a.publish('/end2', 'end');
    await end.until(1);
    expect(one.items).toEqual(['/w/a']);
    expect(many.items).toEqual(['/w/a', '/w/a/b']);
  });

  it('100 quick publishes arrive in order', async () => {
    const a = client();
    const b = client();
    const got = new Collector();
    await b.subscribe('/burst', got.push);
    for (let i = 0; i < 100; i++) await a.publish('/burst', i);
    expect(await got.until(100)).toEqual([...Array(100).keys()]);
  });

  it('carries unicode and a 64 KB payload intact', async () => {
    const a = client();
    const got = new Collector();
    await a.subscribe('/big', got.push);
    const text = 'é✓ 日本語 🎉 \u2028\u2029 '.repeat(10);
    const big = 'x'.repeat(64 * 1024);
    await a.publish('/big', { text });
    await a.publish('/big', { big });
    expect(await got.until(2)).toEqual([{ text }, { big }]);
  });

  it('subscribes to 50 channels', async () => {
    const a = client();
    const got = new Collector();
    await Promise.all([...Array(50).keys()].map((i) => a.subscribe(`/many/${i}`, got.push)));
    for (let i = 0; i < 50; i++) await s.hub.publish(`many/${i}`, i);
    expect((await got.until(50)).slice().sort((x, y) => Number(x) - Number(y))).toEqual([...Array(50).keys()]);
  });

  it('disconnect ends the session and releases its connect', async () => {
    const a = fayeClient(s.url);
    await a.subscribe('/d', () => undefined);
    await untilHeld(s.hub);
    const before = await s.bayeux.sessions.count();
    await a.disconnect();
    expect(await s.bayeux.sessions.count()).toBe(before - 1);
    for (let turns = 0; (s.hub.stats().connectionsByTransport.bayeux ?? 0) > 0; turns++) {
      if (turns > 5_000_000) throw new Error('the connect was never released');
      await new Promise((resolve) => setImmediate(resolve));
    }
  });

  it('re-handshakes and resubscribes after the server expired its session', async () => {
    const a = client();
    const subscribed = new Collector();
    a.addExtension({
      incoming(message: { channel: string; successful?: boolean }, callback: (message: unknown) => void) {
        if (message.channel === '/meta/subscribe' && message.successful) subscribed.push(message);
        callback(message);
      },
    });
    const got = new Collector();
    await a.subscribe('/again', got.push);
    await untilHeld(s.hub);
    const first = a._dispatcher.clientId;
    expect(await s.bayeux.expireSessions(Date.now() + 10 * 60_000)).toContain(first);
    // Faye's new handshake is followed by its resubscription: then its new session receives.
    await subscribed.until(2);
    expect(a._dispatcher.clientId).not.toBe(first);
    await s.hub.publish('again', 'back');
    expect(await got.until(1)).toEqual(['back']);
  });

  it('a publish to a meta channel is refused', async () => {
    const a = client();
    await expect(a.publish('/meta/foo', 1)).rejects.toMatchObject({ code: 404 });
  });
});
