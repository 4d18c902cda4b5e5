import { startBayeux, type BayeuxServer } from '../support/servers';
import { cutter } from '../support/cut';
import { connect, deliveries, handshake, send, subscribe } from '../support/wire';

let s: BayeuxServer;
afterEach(() => s?.close());

const NOW = { advice: { timeout: 0 } };

it('messages flushed into a connect that died on the way come with the next connect', async () => {
  const cut = cutter((req) => req.headers['x-cut'] === '1');
  s = await startBayeux(undefined, { wrap: cut.wrap });
  const id = await handshake(s.url);
  await subscribe(s.url, id, '/a');
  await connect(s.url, id, NOW);
  await s.hub.publish('a', 1);
  await expect(connect(s.url, id, NOW, { headers: { 'content-type': 'application/json', 'x-cut': '1' } })).rejects.toThrow();
  expect(cut.cuts()).toBe(1);
  await s.hub.publish('a', 2);
  expect(deliveries(await connect(s.url, id, NOW)).map((d) => d.data)).toEqual([1, 2]);
  // …and the next connect acknowledged that answer: nothing is sent twice.
  await s.hub.publish('a', 3);
  expect(deliveries(await connect(s.url, id, NOW)).map((d) => d.data)).toEqual([3]);
});

it('messages published between two connects come with the next one', async () => {
  s = await startBayeux();
  const id = await handshake(s.url);
  await subscribe(s.url, id, '/a/**');
  await connect(s.url, id, NOW);
  for (let i = 0; i < 5; i++) await s.hub.publish(`a/${i}`, i);
  expect(deliveries(await connect(s.url, id, NOW)).map((d) => d.data)).toEqual([0, 1, 2, 3, 4]);
});

it('when history no longer covers the session: ext.gap and handshake advice, never a silent skip', async () => {
  s = await startBayeux(undefined, { hub: { history: { maxCount: 3 } } });
  const id = await handshake(s.url);
  await subscribe(s.url, id, '/a');
  await connect(s.url, id, NOW);
  for (let i = 0; i < 10; i++) await s.hub.publish('a', i);
  const [reply, ...rest] = await connect(s.url, id, NOW);
  expect(reply).toMatchObject({
    successful: true,
    advice: { reconnect: 'handshake', interval: 0 },
    ext: { gap: { reason: 'expired', from: expect.any(String) } },
  });
  expect(rest).toEqual([]);
  expect((await connect(s.url, id, NOW))[0]).toMatchObject({ successful: false, error: `402:${id}:Unknown client` });
});

describe('the CometD ack extension', () => {
  it('is granted at handshake and numbers each connect answer', async () => {
    s = await startBayeux();
    const [hs] = await send(s.url, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], ext: { ack: true } }]);
    expect(hs!.ext).toEqual({ ack: true });
    const id = hs!.clientId as string;
    await subscribe(s.url, id, '/a');
    expect((await connect(s.url, id, { ...NOW, ext: { ack: 0 } }))[0]!.ext).toEqual({ ack: 1 });
    await s.hub.publish('a', 'm1');
    const second = await connect(s.url, id, { ...NOW, ext: { ack: 1 } });
    expect(second[0]!.ext).toEqual({ ack: 2 });
    expect(deliveries(second).map((d) => d.data)).toEqual(['m1']);
    // The client says it still has only batch 1 (batch 2 was lost): batch 2's messages come again.
    await s.hub.publish('a', 'm2');
    const again = await connect(s.url, id, { ...NOW, ext: { ack: 1 } });
    expect(again[0]!.ext).toEqual({ ack: 3 });
    expect(deliveries(again).map((d) => d.data)).toEqual(['m1', 'm2']);
    const done = await connect(s.url, id, { ...NOW, ext: { ack: 3 } });
    expect(deliveries(done)).toEqual([]);
  });

  it('is not granted when turned off, nor to a client that does not ask', async () => {
    s = await startBayeux(undefined, { bayeux: { ack: false } });
    const [off] = await send(s.url, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'], ext: { ack: true } }]);
    expect(off!.ext).toBeUndefined();
    const [plain] = await send(s.url, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
    expect(plain!.ext).toBeUndefined();
  });
});
