import { createComet, type CometHub, type CometResponse } from '@cometkit/core';
import { createBayeux, type BayeuxEndpoint } from '@cometkit/bayeux';
import { postOf, turn, type FakeRequest } from './support/fake-request';

// The meta channels through the endpoint's neutral `handle`, no socket: what each answers, and
// what a held connect answers when a newer connect, a disconnect or the session's expiry ends it.

type Reply = Record<string, unknown>;

let hub: CometHub;
let bayeux: BayeuxEndpoint;
beforeEach(() => {
  hub = createComet();
  bayeux = createBayeux(hub);
});
afterEach(async () => {
  bayeux.close();
  await hub.close();
});

function messagesOf(response: CometResponse): Reply[] {
  if (!('body' in response) || response.body === undefined) throw new Error(`no body: ${JSON.stringify(response)}`);
  return JSON.parse(String(response.body)) as Reply[];
}

const send = async (messages: object[], request: FakeRequest = postOf(messages)): Promise<Reply[]> => messagesOf(await bayeux.handle(request));

async function session(subscription = '/chat/room'): Promise<string> {
  const [reply] = await send([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
  const clientId = reply!.clientId as string;
  expect(await send([{ channel: '/meta/subscribe', clientId, subscription, id: 's' }])).toEqual([
    { channel: '/meta/subscribe', successful: true, id: 's', clientId, subscription },
  ]);
  return clientId;
}

/** A connect, once it is held: its answer to come (in an object, so that awaiting this does not wait for it). */
async function heldConnect(clientId: string, id: string, request?: FakeRequest): Promise<{ answer: Promise<Reply[]> }> {
  const before = hub.stats().connections;
  const answer = send([{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id }], request);
  while (hub.stats().connections === before) await turn();
  return { answer };
}

it('a held connect answers with the message published on its channel, then reads on from after it', async () => {
  const clientId = await session();
  const { answer } = await heldConnect(clientId, '1');
  await hub.publish('chat/room', { text: 'hi' });
  const [reply, ...deliveries] = await answer;
  expect(reply).toMatchObject({ channel: '/meta/connect', successful: true, id: '1', clientId, advice: { reconnect: 'retry' } });
  expect(deliveries).toEqual([{ channel: '/chat/room', data: { text: 'hi' } }]);
  const { answer: next } = await heldConnect(clientId, '2');
  await hub.publish('chat/room', { text: 'again' });
  expect((await next).slice(1)).toEqual([{ channel: '/chat/room', data: { text: 'again' } }]);
});

it('a newer connect of the session answers the held one, empty, with retry advice', async () => {
  const clientId = await session();
  const { answer: first } = await heldConnect(clientId, '1');
  const second = send([{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: '2', advice: { timeout: 0 } }]);
  expect(await first).toEqual([{ channel: '/meta/connect', successful: true, id: '1', clientId, advice: { reconnect: 'retry', interval: 0, timeout: bayeux.options.timeoutMs } }]);
  expect(await second).toMatchObject([{ id: '2', successful: true }]);
});

it('a disconnect answers the held connect with no reconnect; the session is gone', async () => {
  const clientId = await session();
  const { answer: held } = await heldConnect(clientId, '1');
  expect(await send([{ channel: '/meta/disconnect', clientId }])).toEqual([{ channel: '/meta/disconnect', successful: true, clientId }]);
  expect(await held).toEqual([{ channel: '/meta/connect', successful: true, id: '1', clientId, advice: { reconnect: 'none', interval: 0 } }]);
  expect(await send([{ channel: '/meta/connect', clientId, connectionType: 'long-polling' }])).toEqual([
    { channel: '/meta/connect', successful: false, error: `402:${clientId}:Unknown client`, advice: { reconnect: 'handshake', interval: 0 } },
  ]);
});

it('a session that expires answers its held connect as unknown, back to the handshake', async () => {
  const clientId = await session();
  const { answer: held } = await heldConnect(clientId, '1');
  expect(await bayeux.expireSessions(Date.now() + bayeux.options.sessionTimeoutMs + bayeux.options.timeoutMs + 1)).toEqual([clientId]);
  expect(await held).toEqual([
    { channel: '/meta/connect', successful: false, id: '1', error: `402:${clientId}:Unknown client`, advice: { reconnect: 'handshake', interval: 0 } },
  ]);
});

it('a subscribe while a connect is held adds its channel to the hold', async () => {
  const clientId = await session();
  const { answer: held } = await heldConnect(clientId, '1');
  await send([{ channel: '/meta/subscribe', clientId, subscription: '/news' }]);
  await hub.publish('news', 1);
  expect((await held).slice(1)).toEqual([{ channel: '/news', data: 1 }]);
});

it('an answer its client never got is read again by the next connect', async () => {
  const clientId = await session();
  const request = postOf([{ channel: '/meta/connect', clientId, connectionType: 'long-polling', id: '1' }]);
  const { answer: held } = await heldConnect(clientId, '1', request);
  await hub.publish('chat/room', 'lost');
  expect((await held).slice(1)).toEqual([{ channel: '/chat/room', data: 'lost' }]);
  request.leave(); // the write failed: the bridge fires the signal
  await turn();
  const again = send([{ channel: '/meta/connect', clientId, connectionType: 'long-polling', advice: { timeout: 0 } }]);
  expect((await again).slice(1)).toEqual([{ channel: '/chat/room', data: 'lost' }]);
});
