import { startBayeux, type BayeuxServer } from '../support/servers';
import { socketHandshake, terminateOpened, trackedSocket, withId, type BayeuxSocketClient } from '../support/socket';
import { handshake, post, send, untilHeld } from '../support/wire';

/*
 * Issue 21, finding 4: one Bayeux WebSocket may not use up the hub-wide limits (sessions, held
 * connects), and no door keeps a client's huge `id` or `ext`.
 */

let s: BayeuxServer | undefined;
afterEach(async () => {
  terminateOpened();
  await s?.close();
  s = undefined;
});
const socket = (): Promise<BayeuxSocketClient> => trackedSocket(s!.url);

const HS = { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['websocket'] };

it('one socket handshakes at most maxSessionsPerSocket live sessions (default 4); one it disconnected stops counting', async () => {
  s = await startBayeux(undefined, { webSocket: {} });
  expect(s.bayeux.options.maxSessionsPerSocket).toBe(4);
  const c = await socket();
  const ids: string[] = [];
  for (let n = 0; n < 4; n++) {
    c.send([{ ...HS, id: `h${n}` }]);
    ids.push((await c.next(withId(`h${n}`))).clientId as string);
  }
  c.send([{ ...HS, id: 'h4' }]);
  expect(await c.next(withId('h4'))).toMatchObject({ successful: false, error: '429:4:Too many sessions on this socket', advice: { reconnect: 'none' } });
  // Another client, on another socket or over HTTP, is not refused.
  expect((await socketHandshake(await socket())).successful).toBe(true);
  expect(await handshake(s.url)).toEqual(expect.any(String));
  c.send([{ channel: '/meta/disconnect', clientId: ids[0], id: 'd' }]);
  await c.next(withId('d'));
  c.send([{ ...HS, id: 'h5' }]);
  expect(await c.next(withId('h5'))).toMatchObject({ successful: true });
});

it('one socket holds at most maxConnectsPerSocket connects at once; a session’s next connect is not refused', async () => {
  s = await startBayeux(undefined, { bayeux: { limits: { maxConnectsPerSocket: 2 } }, webSocket: {} });
  // Sessions made over HTTP, so only the connect limit is in play.
  const ids = [await handshake(s.url), await handshake(s.url), await handshake(s.url)];
  const c = await socket();
  const held = (clientId: string, id: string): void => c.send([{ channel: '/meta/connect', clientId, connectionType: 'websocket', id }]);
  held(ids[0]!, 'a1');
  held(ids[1]!, 'b1');
  await untilHeld(s.hub, 2);
  held(ids[2]!, 'c1');
  expect(await c.next(withId('c1'))).toMatchObject({ successful: false, error: '429:2:Too many connects on this socket' });
  // The same session's new connect replaces its held one: the count stays at two.
  held(ids[0]!, 'a2');
  expect(await c.next(withId('a1'))).toMatchObject({ successful: true });
  await untilHeld(s.hub, 2);
  expect(s.hub.stats().connectionsByTransport.bayeux).toBe(2);
  // An unrelated long-poll is not refused.
  expect((await send(s.url, [{ channel: '/meta/connect', clientId: ids[2], connectionType: 'long-polling', id: 'h', advice: { timeout: 0 } }]))[0]).toMatchObject({ successful: true });
});

it('a message id over 256 characters or an ext over 4 KiB is refused on every door, the id never echoed', async () => {
  s = await startBayeux(undefined, { bayeux: { publishing: true }, webSocket: {} });
  const clientId = await handshake(s.url);
  const longId = 'i'.repeat(257);
  const bigExt = { token: 'x'.repeat(4 * 1024) };
  const connectWith = (extra: object): object => ({ channel: '/meta/connect', clientId, connectionType: 'long-polling', ...extra });

  const [alone] = await send(s.url, [connectWith({ id: longId })]);
  expect(alone).toEqual({ channel: '/meta/connect', successful: false, error: '400:id:Field too large' });
  const batch = await send(s.url, [{ channel: '/a', clientId, data: 1, id: longId }, connectWith({ id: 'e', ext: bigExt })]);
  expect(batch).toEqual([
    { channel: '/a', successful: false, error: '400:id:Field too large' },
    { channel: '/meta/connect', successful: false, id: 'e', error: '400:ext:Field too large' },
  ]);
  expect(s.hub.stats().connectionsByTransport.bayeux ?? 0).toBe(0);
  const [handshook] = (await post(s.url, [{ ...HS, supportedConnectionTypes: ['long-polling'], ext: bigExt, id: 'h' }])).body as object[];
  expect(handshook).toMatchObject({ successful: false, error: '400:ext:Field too large' });

  const c = await socket();
  c.send([{ ...connectWith({ id: longId }), connectionType: 'websocket' }]);
  const refused = await c.next((m) => m.channel === '/meta/connect');
  expect(refused).toEqual({ channel: '/meta/connect', successful: false, error: '400:id:Field too large' });
  // At the limit is fine: 256 characters, a 4 KiB ext.
  const [fits] = await send(s.url, [{ channel: '/a', clientId, data: 1, id: 'i'.repeat(256), ext: { t: 'x'.repeat(4 * 1024 - 8) } }]);
  expect(fits).toMatchObject({ successful: true, id: 'i'.repeat(256) });
});
