import type { BayeuxExtension } from '@cometkit/bayeux';
import { startBayeux, type BayeuxServer } from '../support/servers';
import { connect, deliveries, handshake, publish, send, subscribe } from '../support/wire';

let s: BayeuxServer;
afterEach(() => s.close());
const NOW = { advice: { timeout: 0 } };

it('an async incoming extension rejects with an error, strips ext; outgoing sees replies and deliveries', async () => {
  const seen: string[] = [];
  const auth: BayeuxExtension = {
    async incoming(message) {
      await Promise.resolve();
      if (message.channel === '/meta/subscribe' && message.ext?.token !== 'let-me-in') message.error = '403::Token required';
      delete message.ext;
      return message;
    },
    outgoing(message) {
      seen.push(message.channel);
      if (message.channel === '/meta/handshake') message.ext = { server: 'cometkit' };
      if (message.channel === '/news' && typeof message.data === 'object') message.data = { ...(message.data as object), stamped: true };
      return message;
    },
  };
  s = await startBayeux(undefined, { bayeux: { extensions: [auth] } });
  const [hs] = await send(s.url, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
  expect(hs!.ext).toEqual({ server: 'cometkit' });
  const id = hs!.clientId as string;
  expect(await subscribe(s.url, id, '/news')).toMatchObject({ successful: false, error: '403::Token required' });
  const [ok] = await send(s.url, [{ channel: '/meta/subscribe', clientId: id, subscription: '/news', ext: { token: 'let-me-in' } }]);
  expect(ok!.successful).toBe(true);
  await connect(s.url, id, NOW);
  await s.hub.publish('news', { n: 1 });
  expect(deliveries(await connect(s.url, id, NOW))).toEqual([{ channel: '/news', data: { n: 1, stamped: true } }]);
  expect(seen).toContain('/news');
});

it('authorize applies to Bayeux subscribe (wildcards included) and publish, with the session and ext', async () => {
  const contexts: { action: string; channels: readonly string[]; transport?: string; session?: unknown }[] = [];
  s = await startBayeux(undefined, {
    bayeux: { publishing: true },
    hub: {
      authorize: (action, ctx) => {
        contexts.push({ action, channels: ctx.channels, transport: ctx.transport, session: ctx.session });
        if (action === 'publish') return ctx.data !== 'forbidden';
        return !ctx.channels.some((c) => c === '**' || c.startsWith('secret'));
      },
    },
  });
  const id = await handshake(s.url);
  expect(await subscribe(s.url, id, '/secret/*')).toMatchObject({ successful: false, error: expect.stringMatching(/^403:/) });
  expect(await subscribe(s.url, id, '/**')).toMatchObject({ successful: false, error: expect.stringMatching(/^403:/) });
  expect(await subscribe(s.url, id, '/open/**')).toMatchObject({ successful: true });
  expect(await publish(s.url, id, '/open/a', 'forbidden')).toMatchObject({ successful: false, error: '403:/open/a:Publish denied' });
  expect(await publish(s.url, id, '/open/a', 'fine')).toMatchObject({ successful: true });
  expect(contexts.find((c) => c.action === 'handshake')).toMatchObject({ transport: 'bayeux' });
  expect(contexts.find((c) => c.action === 'publish')).toMatchObject({ channels: ['open/a'], transport: 'bayeux', session: { clientId: id } });
  expect(contexts.filter((c) => c.action === 'subscribe').map((c) => c.channels)).toEqual(expect.arrayContaining([['secret/*'], ['**'], ['open/**']]));
});
