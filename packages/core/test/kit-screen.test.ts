import { createComet, isCometError } from '@cometkit/core';
import type { CometBodyResponse } from '@cometkit/core/kit';
import { fakeRequest, startStream } from './support/fakes';

/** The error code of an answer that refuses, or undefined for one that does not. */
async function refusal(answer: Promise<unknown>): Promise<string | undefined> {
  const response = (await answer) as CometBodyResponse;
  return response.error;
}

describe('every door screens its host (allowedHosts)', () => {
  const hub = createComet({ allowedHosts: ['app.example'], httpPublish: true, jsonp: true });
  afterAll(() => hub.close());

  it.each(['/poll?channel=a', '/jsonp?channel=a&callback=cb', '/sse?channel=a', '/stream?channel=a', '/iframe?channel=a&callback=parent.f'])(
    'refuses a rebinding Host on %s',
    async (path) => {
      expect(await refusal(hub.handle(fakeRequest('GET', path, { headers: { host: 'evil.example:3000' } })))).toBe('forbidden');
    },
  );

  it('refuses it on a per-route endpoint and on publish', async () => {
    const endpoint = hub.endpoint({ channel: 'orders/:id' });
    expect(await refusal(endpoint(fakeRequest('GET', '/', { headers: { host: 'evil.example' }, params: { id: '1' } })))).toBe('forbidden');
    const publish = fakeRequest('POST', '/publish', { headers: { host: 'evil.example', 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'a', data: 1 }) });
    expect(await refusal(hub.handle(publish))).toBe('csrf');
  });

  it('answers the hosts it lists', async () => {
    const { cursor } = await hub.publish('a', 1);
    const before = cursor.replace(/-\d+$/, '-0');
    const response = (await hub.handle(fakeRequest('GET', `/poll?channel=a&cursor=${before}`, { headers: { host: 'APP.example:8080' } }))) as CometBodyResponse;
    expect(response.status).toBe(200);
    expect(response.error).toBeUndefined();
  });
});

describe('a forever frame calls only into its parent', () => {
  const hub = createComet();
  afterAll(() => hub.close());

  it.each(['top.location.assign', 'alert', 'window.opener.f'])('refuses callback=%s', async (callback) => {
    expect(await refusal(hub.handle(fakeRequest('GET', `/iframe?channel=a&callback=${callback}`)))).toBe('bad_callback');
  });

  it('serves parent.NAME', async () => {
    const sink = startStream(await hub.handle(fakeRequest('GET', '/iframe?channel=a&callback=parent.onFrame')));
    expect(sink.text()).toContain('var c=parent.onFrame;');
  });
});

describe('the parsed channel-list cache', () => {
  it('never lends a checked list to a name that only joins to the same text', async () => {
    const hub = createComet();
    const { cursor } = await hub.publish('a', 1);
    const before = cursor.replace(/-\d+$/, '-0');
    // The list a, b is checked and kept; one name "a\nb" must still be read as one (bad) name.
    expect(await refusal(hub.handle(fakeRequest('GET', `/poll?channel=a&channel=b&cursor=${before}`)))).toBeUndefined();
    expect(await refusal(hub.handle(fakeRequest('GET', `/poll?channel=${encodeURIComponent('a\nb')}`)))).toBe('bad_channel');
    await hub.close();
  });

  it('holds each hub to its own maxChannels', async () => {
    const wide = createComet();
    const { cursor } = await wide.publish('a', 1);
    const before = cursor.replace(/-\d+$/, '-0');
    expect(await refusal(wide.handle(fakeRequest('GET', `/poll?channel=a&channel=b&channel=c&cursor=${before}`)))).toBeUndefined();
    const narrow = createComet({ limits: { maxChannels: 1 } });
    expect(await refusal(narrow.handle(fakeRequest('GET', '/poll?channel=a&channel=b&channel=c')))).toBe('too_many_channels');
    expect(await refusal(narrow.handle(fakeRequest('GET', `/poll?channel=${encodeURIComponent('a\nb\nc')}`)))).toBe('bad_channel');
    await Promise.all([wide.close(), narrow.close()]);
  });
});

describe('a per-route endpoint whose channel is a function', () => {
  const hub = createComet();
  afterAll(() => hub.close());
  const fromUrl = (request: { params: Record<string, string> }): string => `orders/${request.params.id}`;

  it('refuses a pattern made from the URL', async () => {
    const endpoint = hub.endpoint({ channel: fromUrl });
    for (const id of ['*', '**']) {
      expect(await refusal(endpoint(fakeRequest('GET', '/', { params: { id } })))).toBe('bad_channel');
    }
  });

  it('takes patterns when the endpoint allows them', async () => {
    const endpoint = hub.endpoint({ channel: () => 'orders/*', allowPatterns: true });
    const { cursor } = await hub.publish('orders/1', 1);
    const response = await endpoint(fakeRequest('GET', `/?cursor=${cursor.replace(/-\d+$/, '-0')}`));
    expect(isCometError(response)).toBe(false);
    expect((response as CometBodyResponse).status).toBe(200);
  });
});

describe('a read from another site that carries cookies', () => {
  const hub = createComet({ cors: { origins: ['https://partner.example'] }, jsonp: true });
  afterAll(() => hub.close());
  let before = '';
  beforeAll(async () => {
    const { cursor } = await hub.publish('orders/1', { secret: true });
    before = cursor.replace(/-\d+$/, '-0');
  });
  const jsonp = (headers: Record<string, string>): Promise<string | undefined> =>
    refusal(hub.handle(fakeRequest('GET', `/jsonp?channel=orders/**&cursor=${before}&callback=steal`, { headers })));

  it('is refused: by Fetch Metadata, else Origin, else Referer', async () => {
    expect(await jsonp({ cookie: 'sid=1', 'sec-fetch-site': 'cross-site' })).toBe('forbidden');
    expect(await jsonp({ cookie: 'sid=1', referer: 'https://evil.example/page' })).toBe('forbidden');
    expect(await jsonp({ cookie: 'sid=1', origin: 'https://evil.example' })).toBe('forbidden');
    expect(await refusal(hub.handle(fakeRequest('GET', `/poll?channel=orders/1&cursor=${before}`, { headers: { cookie: 'sid=1', origin: 'https://evil.example' } })))).toBe('forbidden');
  });

  it('is answered from an origin CORS allows, from the same site, and without cookies', async () => {
    expect(await jsonp({ cookie: 'sid=1', 'sec-fetch-site': 'cross-site', referer: 'https://partner.example/app' })).toBeUndefined();
    expect(await jsonp({ cookie: 'sid=1', 'sec-fetch-site': 'same-origin', referer: 'http://fake.test/app' })).toBeUndefined();
    expect(await jsonp({ cookie: 'sid=1', referer: 'http://fake.test/app' })).toBeUndefined();
    expect(await jsonp({ 'sec-fetch-site': 'cross-site', referer: 'https://evil.example/page' })).toBeUndefined();
    expect(await jsonp({ cookie: 'sid=1' })).toBeUndefined(); // no browser's cross-site request
  });
});

describe('JSONP, off by default', () => {
  it('answers 404 naming the option until the hub turns it on', async () => {
    const off = createComet();
    const refused = (await off.handle(fakeRequest('GET', '/jsonp?channel=a&callback=cb'))) as CometBodyResponse;
    expect([refused.status, refused.error]).toEqual([404, 'not_found']);
    expect(String(refused.body)).toContain('jsonp: true');
    expect(off.serves('/jsonp')).toBe(false);
    const on = createComet({ jsonp: true });
    const { cursor } = await on.publish('a', 1);
    const served = (await on.handle(fakeRequest('GET', `/jsonp?channel=a&cursor=${cursor.replace(/-\d+$/, '-0')}&callback=cb`))) as CometBodyResponse;
    expect([served.status, served.error]).toEqual([200, undefined]);
    await Promise.all([off.close(), on.close()]);
  });
});
