import { startCometd, type CometdClient, type CometdEvent } from '../support/cometd';
import { mountKinds, startBayeux, type BayeuxServer } from '../support/servers';
import { untilHeld } from '../support/wire';

const messages = (c: CometdClient, subscription: string): CometdEvent[] => c.events.filter((e) => e.event === 'message' && e.subscription === subscription);
const count = (c: CometdClient, subscription: string, n: number): Promise<unknown> => c.next(() => messages(c, subscription).length >= n);

describe.each(mountKinds)('the cometd client (cometd-nodejs-client) on $name', (kind) => {
  let s: BayeuxServer;
  beforeAll(async () => {
    s = await startBayeux(kind, { bayeux: { timeoutMs: 5_000, publishing: true, callbackPolling: true }, webSocket: {} });
  });
  afterAll(() => s.close());

  describe.each(['long-polling', 'callback-polling', 'websocket'] as const)('%s', (transport) => {
    let a: CometdClient;
    let b: CometdClient;
    beforeAll(async () => {
      [a, b] = await Promise.all([startCometd(s.url, { transport, maxMessageSize: 200_000 }), startCometd(s.url, { transport })]);
      expect(await a.call('handshake')).toMatchObject({ successful: true, transport });
      expect(await b.call('handshake')).toMatchObject({ successful: true, transport });
      // The server's side of it: two sockets open exactly when the clients speak WebSocket.
      expect(s.ws!.size).toBe(transport === 'websocket' ? 2 : 0);
    });
    afterAll(() => Promise.all([a.close(), b.close()]));

    it('subscribes and receives its own and another client’s messages, with no clientId or successful', async () => {
      expect(await a.call('subscribe', { channel: '/c/room' })).toMatchObject({ successful: true });
      expect(await a.call('publish', { channel: '/c/room', data: 'own' })).toMatchObject({ successful: true });
      await b.call('publish', { channel: '/c/room', data: 'other' });
      await count(a, '/c/room', 2);
      expect(messages(a, '/c/room').map((m) => m.data)).toEqual(['own', 'other']);
      expect(messages(a, '/c/room')[0]!.keys).toEqual(['channel', 'data']);
    });

    it('wildcards, unsubscribe, order, unicode and 50 channels', async () => {
      await a.call('subscribe', { channel: '/cw/*' });
      await a.call('subscribe', { channel: '/cw/**' });
      for (const channel of ['/cw', '/cwx/a', '/cw/a', '/cw/a/b']) await b.call('publish', { channel, data: channel });
      await count(a, '/cw/**', 2);
      await a.call('subscribe', { channel: '/cend' });
      await b.call('publish', { channel: '/cend', data: 1 });
      await count(a, '/cend', 1);
      expect(messages(a, '/cw/*').map((m) => m.data)).toEqual(['/cw/a']);
      expect(messages(a, '/cw/**').map((m) => m.data)).toEqual(['/cw/a', '/cw/a/b']);

      await a.call('unsubscribe', { channel: '/cend' });
      await b.call('publish', { channel: '/cend', data: 2 });
      await a.call('subscribe', { channel: '/cmark' });
      await b.call('publish', { channel: '/cmark', data: 'm' });
      await count(a, '/cmark', 1);
      expect(messages(a, '/cend')).toHaveLength(1);

      await a.call('subscribe', { channel: '/cburst' });
      for (let i = 0; i < 100; i++) await s.hub.publish('cburst', i);
      await count(a, '/cburst', 100);
      expect(messages(a, '/cburst').map((m) => m.data)).toEqual([...Array(100).keys()]);

      const text = 'é✓ 日本語 🎉 \u2028 '.repeat(transport === 'callback-polling' ? 20 : 3000);
      await a.call('subscribe', { channel: '/cuni' });
      await a.call('publish', { channel: '/cuni', data: { text } });
      await count(a, '/cuni', 1);
      expect(messages(a, '/cuni')[0]!.data).toEqual({ text });

      await Promise.all([...Array(50).keys()].map((i) => b.call('subscribe', { channel: `/cmany/${i}` })));
      for (let i = 0; i < 50; i++) await s.hub.publish(`cmany/${i}`, i);
      await b.next(() => b.events.filter((e) => e.event === 'message' && String(e.channel).startsWith('/cmany/')).length >= 50);
    });

    it('a publish to a meta channel is refused', async () => {
      expect(await a.call('publish', { channel: '/meta/foo', data: 1 })).toMatchObject({ successful: false });
    });
  });

  it('re-handshakes after the server expired its session, and disconnects', async () => {
    const c = await startCometd(s.url);
    try {
      const first = await c.call<{ clientId: string }>('handshake');
      await untilHeld(s.hub);
      expect(await s.bayeux.expireSessions(Date.now() + 10 * 60_000)).toContain(first.clientId);
      const again = await c.next((e) => e.event === 'handshake' && e.successful === true && e.clientId !== first.clientId);
      expect(await c.call('subscribe', { channel: '/after' })).toMatchObject({ successful: true });
      const sessions = await s.bayeux.sessions.count();
      await c.call('disconnect');
      expect(await s.bayeux.sessions.get(String(again.clientId))).toBeUndefined();
      expect(await s.bayeux.sessions.count()).toBe(sessions - 1);
    } finally {
      await c.close();
    }
  });
});
