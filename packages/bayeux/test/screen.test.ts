import { createComet, type CometHub } from '@cometkit/core';
import type { CometBodyResponse } from '@cometkit/core/kit';
import { createBayeux } from '@cometkit/bayeux';
import { fakeRequest } from '../../core/test/support/fakes';

// The Bayeux door passes the kit's request screen like every other door.
let hub: CometHub;
afterEach(() => hub?.close());

const handshake = encodeURIComponent(JSON.stringify([{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['callback-polling'], id: '1' }]));

it('refuses a callback-polling handshake a page of another site sends with the user cookies', async () => {
  hub = createComet();
  const bayeux = createBayeux(hub, { callbackPolling: true });
  const answer = (await bayeux.handle(
    fakeRequest('GET', `/?message=${handshake}&jsonp=steal`, { headers: { cookie: 'sid=1', 'sec-fetch-site': 'cross-site', referer: 'https://evil.example/' } }),
  )) as CometBodyResponse;
  expect([answer.status, answer.error]).toEqual([403, 'forbidden']);
  const sameSite = (await bayeux.handle(fakeRequest('GET', `/?message=${handshake}&jsonp=cb`, { headers: { cookie: 'sid=1', 'sec-fetch-site': 'same-origin' } }))) as CometBodyResponse;
  expect([sameSite.status, sameSite.error]).toEqual([200, undefined]);
  expect(String(sameSite.body)).toContain('"successful":true');
});

it('refuses a Host not in allowedHosts', async () => {
  hub = createComet({ allowedHosts: ['app.example'] });
  const bayeux = createBayeux(hub, { callbackPolling: true });
  const answer = (await bayeux.handle(fakeRequest('GET', `/?message=${handshake}&jsonp=cb`, { headers: { host: 'evil.example' } }))) as CometBodyResponse;
  expect([answer.status, answer.error]).toEqual([403, 'forbidden']);
});

it('asks authenticate at the handshake, and authorize sees the identity', async () => {
  const seen: (string | undefined)[] = [];
  hub = createComet({
    authenticate: (request) => (request.header('x-user') ? { id: String(request.header('x-user')) } : undefined),
    authorize: (action, { identity }) => {
      if (action === 'handshake') seen.push(identity?.id);
      return identity !== undefined;
    },
  });
  const bayeux = createBayeux(hub, { callbackPolling: true });
  const shake = async (headers: Record<string, string>): Promise<string> =>
    String(((await bayeux.handle(fakeRequest('GET', `/?message=${handshake}&jsonp=cb`, { headers }))) as CometBodyResponse).body);
  expect(await shake({})).toContain('Handshake denied: sign in first');
  expect(await shake({ 'x-user': 'alice' })).toContain('"successful":true');
  expect(seen).toEqual([undefined, 'alice']);
});
