import { startBayeux, type BayeuxServer } from '../support/servers';
import { connect, deliveries, handshake, publish, send, subscribe } from '../support/wire';

/*
 * Issue 21, finding 1: an endpoint mounted as written is no way for another site (or anyone) to
 * publish, and a GET (a `<script>` tag on any page, with the user's cookies) changes nothing.
 * Publishing and callback-polling are the application's to turn on.
 */

let s: BayeuxServer;
afterEach(() => s.close());

const HS = { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling', 'callback-polling'], id: 'h' };
const NOW = { advice: { timeout: 0 } };

it('by default, a GET is refused (405, JSON error) and changes nothing; handshakes do not offer callback-polling', async () => {
  s = await startBayeux();
  const sessionsBefore = await s.bayeux.sessions.count();
  const response = await fetch(`${s.url}?jsonp=steal&message=${encodeURIComponent(JSON.stringify([HS]))}`);
  expect(response.status).toBe(405);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  expect(await response.json()).toEqual({ error: { code: 'method_not_allowed', message: expect.stringMatching(/callback-polling/i) } });
  expect(await s.bayeux.sessions.count()).toBe(sessionsBefore);

  const [hs] = await send(s.url, [HS]);
  expect(hs).toMatchObject({ successful: true, supportedConnectionTypes: ['long-polling', 'cross-origin-long-polling'] });
  const [asked] = await connect(s.url, hs!.clientId as string, { connectionType: 'callback-polling', ...NOW });
  expect(asked).toMatchObject({ successful: false, error: expect.stringMatching(/^301:/) });
});

it('by default, a publish to a hub channel is refused and never published; /service/ still reaches extensions', async () => {
  const serviced: unknown[] = [];
  s = await startBayeux(undefined, {
    bayeux: { extensions: [{ incoming: (m) => (m.channel.startsWith('/service/') && serviced.push(m.data), m) }] },
  });
  const id = await handshake(s.url);
  expect(await subscribe(s.url, id, '/chat/**')).toMatchObject({ successful: true });
  await connect(s.url, id, NOW);
  // A text/plain form POST, as a page on another site can send without a preflight.
  const [form] = await send(s.url, undefined, {
    headers: { 'content-type': 'text/plain' },
    body: `message=${encodeURIComponent(JSON.stringify([{ channel: '/chat/room', clientId: id, data: 'forged', id: 'p' }]))}`,
  });
  expect(form).toEqual({ channel: '/chat/room', successful: false, id: 'p', error: '403:/chat/room:Publishing is disabled' });
  expect(await publish(s.url, id, '/chat/room', 'json')).toMatchObject({ successful: false, error: '403:/chat/room:Publishing is disabled' });
  expect(await publish(s.url, id, '/service/echo', 'to the server')).toMatchObject({ successful: true });
  expect(serviced).toEqual(['to the server']);
  // Nothing reached the log: a message the server publishes now is the first the subscriber gets.
  await s.hub.publish('chat/room', 'from the server');
  expect(deliveries(await connect(s.url, id, NOW)).map((m) => m.data)).toEqual(['from the server']);
});

it('with publishing and callbackPolling on, both work as Bayeux requires', async () => {
  s = await startBayeux(undefined, { bayeux: { publishing: true, callbackPolling: true } });
  const [hs] = await send(s.url, [HS]);
  expect(hs!.supportedConnectionTypes).toEqual(['long-polling', 'callback-polling', 'cross-origin-long-polling']);
  const id = hs!.clientId as string;
  expect(await publish(s.url, id, '/chat/room', 'ok')).toMatchObject({ successful: true });
  const message = JSON.stringify([{ channel: '/meta/subscribe', clientId: id, subscription: '/chat/room', id: 's' }]);
  const script = await (await fetch(`${s.url}?jsonp=cb&message=${encodeURIComponent(message)}`)).text();
  expect(script).toContain('"successful":true');
});
