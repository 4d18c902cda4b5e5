import type { BayeuxExtension } from '@cometkit/bayeux';
import { Collector } from '../support/collector';
import { fayeClients, ownAndAnothers } from '../support/faye';
import { mountKinds, startBayeux, type BayeuxServer } from '../support/servers';
import { untilHeld } from '../support/wire';

/**
 * The connection type of every /meta/connect the server got, seen by a server extension, and a gate
 * that opens once a number of distinct clients have each sent a connect over WebSocket.
 */
function connectTypes(): {
  types: string[];
  byClient: Map<string, string[]>;
  socketClients: Collector<string>;
  extension: BayeuxExtension;
} {
  const types: string[] = [];
  const byClient = new Map<string, string[]>();
  const socketClients = new Collector<string>();
  return {
    types,
    byClient,
    socketClients,
    extension: {
      incoming(message) {
        if (message.channel !== '/meta/connect') return message;
        const type = String(message.connectionType);
        const clientId = String(message.clientId);
        types.push(type);
        const own = byClient.get(clientId) ?? [];
        byClient.set(clientId, own);
        if (type === 'websocket' && !own.includes('websocket')) socketClients.push(clientId);
        own.push(type);
        return message;
      },
    },
  };
}

describe.each(mountKinds)('the faye npm client over WebSocket on $name', (kind) => {
  let s: BayeuxServer;
  const seen = connectTypes();
  const { client, disconnectAll } = fayeClients(() => s.url);
  beforeAll(async () => {
    s = await startBayeux(kind, { bayeux: { timeoutMs: 5_000, publishing: true, extensions: [seen.extension] }, webSocket: {} });
  });
  afterEach(async () => {
    await disconnectAll();
    seen.types.splice(0);
    seen.byClient.clear();
    seen.socketClients.items.splice(0);
  });
  afterAll(() => s.close());

  it('handshakes, connects over the socket, and receives its own and another client’s messages', async () => {
    const a = client();
    const b = client();
    expect(await ownAndAnothers(a, b)).toEqual([{ from: 'a' }, { from: 'b' }]);
    // Faye sends its first connect over whatever transport is selected when the handshake answers,
    // and switches once its socket (opened during the handshake) is up: from then on every connect
    // of both clients goes over WebSocket, one socket each.
    await seen.socketClients.until(2);
    expect(seen.byClient.size).toBe(2);
    for (const own of seen.byClient.values()) {
      const first = own.indexOf('websocket');
      expect(first).toBeGreaterThanOrEqual(0);
      expect(new Set(own.slice(first))).toEqual(new Set(['websocket']));
    }
    expect(s.ws!.size).toBe(2);
  });

  it('a socket destroyed by the server loses nothing: the client reconnects and resumes from its session', async () => {
    const a = client();
    const got = new Collector();
    await a.subscribe('/drop', got.push);
    await untilHeld(s.hub);
    const before = s.upgraded.length;
    for (let i = 0; i < 3; i++) await s.hub.publish('drop', i);
    await got.until(3);
    await untilHeld(s.hub);
    for (const socket of s.upgraded.slice(before - 1)) socket.destroy();
    // Published while the client has no socket: the next connect reads them from the session's cursor.
    for (let i = 3; i < 6; i++) await s.hub.publish('drop', i);
    expect(await got.until(6)).toEqual([0, 1, 2, 3, 4, 5]);
    await s.hub.publish('drop', 6);
    expect(await got.until(7)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(s.upgraded.length).toBeGreaterThan(before);
  });

  it('shares the channels with hub.publish, cometkit’s own subscribers and a long-polling Faye client', async () => {
    const socketClient = client();
    const pollClient = client();
    pollClient.disable('websocket');
    const overSocket = new Collector();
    const overPoll = new Collector();
    await socketClient.subscribe('/mix/room', overSocket.push);
    await pollClient.subscribe('/mix/*', overPoll.push);
    const poll = fetch(`${s.origin}/comet/poll?channel=mix/room&cursor=${encodeURIComponent((await s.hub.publish('start', null)).cursor)}`);
    await s.hub.publish('mix/room', 'from the hub');
    await socketClient.publish('/mix/room', 'from the socket');
    await pollClient.publish('/mix/room', 'from the poll');
    const expected = ['from the hub', 'from the socket', 'from the poll'];
    expect(await overSocket.until(3)).toEqual(expected);
    expect(await overPoll.until(3)).toEqual(expected);
    const { messages } = (await (await poll).json()) as { messages: { data: unknown }[] };
    expect(messages.map((m) => m.data)[0]).toBe('from the hub');
    expect(new Set(seen.types)).toEqual(new Set(['websocket', 'long-polling']));
  });
});
