import { startBayeux, type BayeuxServer } from '../support/servers';
import { handshake, post, send, subscribe } from '../support/wire';

let s: BayeuxServer;
afterEach(() => s?.close());

const NOW = { advice: { timeout: 0 } };

/** The raw text of a connect answer, as the server wrote it. */
async function connectText(url: string, clientId: string, extra: Record<string, unknown>): Promise<string> {
  const { status, text } = await post(url, [{ channel: '/meta/connect', clientId, connectionType: 'long-polling', ...extra }]);
  expect(status).toBe(200);
  return text;
}

// A connect's reply is written from text and its deliveries from bytes shared by every session at
// the same position: the answer must be, byte for byte, what JSON.stringify makes of its messages.
it('a connect answer is exactly the JSON of its reply and deliveries, with id, ack and several messages', async () => {
  s = await startBayeux();
  const { timeoutMs, intervalMs } = s.bayeux.options;
  const advice = { reconnect: 'retry', interval: intervalMs, timeout: timeoutMs };
  const acked = await handshake(s.url, { ack: true });
  const plain = await handshake(s.url);
  for (const id of [acked, plain]) await subscribe(s.url, id, '/feed/**');
  expect(await connectText(s.url, acked, { ...NOW, id: 7, ext: { ack: -1 } })).toBe(
    JSON.stringify([{ channel: '/meta/connect', successful: true, id: 7, clientId: acked, advice, ext: { ack: 1 } }]),
  );
  await connectText(s.url, plain, NOW);
  await s.hub.publish('feed/a', { text: 'é \u2028 "q"' });
  await s.hub.publish('feed/b/c', [1, 2]);
  await s.hub.publish('feed/a', null);
  const deliveries = [
    { channel: '/feed/a', data: { text: 'é \u2028 "q"' } },
    { channel: '/feed/b/c', data: [1, 2] },
    { channel: '/feed/a', data: null },
  ];
  expect(await connectText(s.url, acked, { ...NOW, id: 'x"y', ext: { ack: 1 } })).toBe(
    JSON.stringify([{ channel: '/meta/connect', successful: true, id: 'x"y', clientId: acked, advice, ext: { ack: 2 } }, ...deliveries]),
  );
  // The second session at the same position: the same deliveries, its own reply (no id sent: none echoed).
  expect(await connectText(s.url, plain, NOW)).toBe(JSON.stringify([{ channel: '/meta/connect', successful: true, clientId: plain, advice }, ...deliveries]));
  // One message alone (its frame cached on the entry) after the batch.
  await s.hub.publish('feed/a', 4);
  const [reply, ...rest] = await send(s.url, [{ channel: '/meta/connect', clientId: plain, connectionType: 'long-polling', ...NOW }]);
  expect(reply).toEqual({ channel: '/meta/connect', successful: true, clientId: plain, advice });
  expect(rest).toEqual([{ channel: '/feed/a', data: 4 }]);
});
