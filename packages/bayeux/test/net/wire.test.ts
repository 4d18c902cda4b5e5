import http from 'node:http';
import { startBayeux, type BayeuxServer } from '../support/servers';
import { connect, deliveries, handshake, post, publish, send, subscribe, untilHeld } from '../support/wire';

let s: BayeuxServer;
beforeEach(async () => {
  s = await startBayeux(undefined, { hub: { cors: { origins: 'http://app.test' } }, bayeux: { timeoutMs: 30_000, publishing: true, callbackPolling: true } });
});
afterEach(() => s.close());

const HS = { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling', 'callback-polling'] };

describe('handshake', () => {
  it('answers with the served connection types, a 160-bit clientId, advice, and the id', async () => {
    const [reply] = await send(s.url, [{ ...HS, id: 'x1' }]);
    expect(reply).toEqual({
      channel: '/meta/handshake',
      successful: true,
      id: 'x1',
      version: '1.0',
      supportedConnectionTypes: ['long-polling', 'callback-polling', 'cross-origin-long-polling'],
      clientId: expect.stringMatching(/^[0-9a-f]{40}$/),
      advice: { reconnect: 'retry', interval: 0, timeout: 30_000 },
    });
    const other = await handshake(s.url);
    expect(other).not.toBe(reply!.clientId);
  });

  it('is unsuccessful with no connection type in common', async () => {
    const [reply] = await send(s.url, [{ ...HS, supportedConnectionTypes: ['websocket'], id: 7 }]);
    expect(reply).toMatchObject({ successful: false, id: 7, error: expect.stringMatching(/^301:websocket:/) });
  });

  it('must be alone in its batch', async () => {
    const replies = await send(s.url, [HS, { channel: '/a', data: 1, id: '2' }]);
    expect(replies).toHaveLength(2);
    for (const reply of replies) expect(reply).toMatchObject({ successful: false, error: expect.stringMatching(/^400::/) });
    expect(replies[1]!.id).toBe('2');
  });

  it('is answered on any sub-path of the mount, as CometD posts', async () => {
    const [reply] = await send(`${s.url}/handshake`, [HS]);
    expect(reply!.successful).toBe(true);
  });
});

describe('connect', () => {
  it('answers advice.timeout 0 at once, with advice and the id', async () => {
    const id = await handshake(s.url);
    const answer = await connect(s.url, id, { advice: { timeout: 0 }, id: 'c1' });
    expect(answer).toEqual([{ channel: '/meta/connect', successful: true, id: 'c1', clientId: id, advice: { reconnect: 'retry', interval: 0, timeout: 30_000 } }]);
  });

  it('holds until a message comes, then answers [reply, delivery] with no successful nor clientId on the delivery', async () => {
    const id = await handshake(s.url);
    expect(await subscribe(s.url, id, '/chat/*')).toMatchObject({ successful: true, subscription: '/chat/*', id: 's' });
    await connect(s.url, id, { advice: { timeout: 0 } });
    const held = connect(s.url, id);
    await untilHeld(s.hub);
    expect(await publish(s.url, id, '/chat/room', { text: 'hi' })).toEqual({ channel: '/chat/room', successful: true, id: 'p' });
    const answer = await held;
    expect(answer[0]).toMatchObject({ channel: '/meta/connect', successful: true });
    expect(deliveries(answer)).toEqual([{ channel: '/chat/room', data: { text: 'hi' } }]);
  });

  it('takes a subscription made while a connect is held', async () => {
    const id = await handshake(s.url);
    const held = connect(s.url, id);
    await untilHeld(s.hub);
    await subscribe(s.url, id, ['/news', '/sport/**']);
    await s.hub.publish('sport/football/live', 1);
    expect(deliveries(await held)).toEqual([{ channel: '/sport/football/live', data: 1 }]);
  });

  it('a batch of other messages answers its connect at once, replies in order', async () => {
    const id = await handshake(s.url);
    const replies = await send(s.url, [
      { channel: '/meta/subscribe', clientId: id, subscription: '/a', id: '1' },
      { channel: '/a', clientId: id, data: 'x', id: '2' },
      { channel: '/meta/connect', clientId: id, connectionType: 'long-polling', id: '3' },
    ]);
    expect(replies.map((r) => r.id)).toEqual(['1', '2', '3', undefined]);
    expect(replies[3]).toEqual({ channel: '/a', data: 'x' });
  });

  it('refuses a second connect in one request', async () => {
    const id = await handshake(s.url);
    const c = { channel: '/meta/connect', clientId: id, connectionType: 'long-polling' };
    const replies = await send(s.url, [{ ...c, id: 'a' }, { ...c, id: 'b' }]);
    expect(replies[1]).toMatchObject({ id: 'b', successful: false, error: expect.stringMatching(/^400::/) });
  });

  it('a newer connect of the session releases the one held', async () => {
    const id = await handshake(s.url);
    const first = connect(s.url, id, { id: 'old' });
    await untilHeld(s.hub);
    const second = connect(s.url, id, { id: 'new' });
    expect(await first).toEqual([expect.objectContaining({ id: 'old', successful: true })]);
    await untilHeld(s.hub);
    await subscribe(s.url, id, '/x');
    await s.hub.publish('x', 2);
    expect(deliveries(await second)).toEqual([{ channel: '/x', data: 2 }]);
  });
});

describe('unknown or expired clients', () => {
  const cases = [
    { channel: '/meta/connect', connectionType: 'long-polling' },
    { channel: '/meta/subscribe', subscription: '/a' },
    { channel: '/meta/unsubscribe', subscription: '/a' },
    { channel: '/meta/disconnect' },
    { channel: '/a', data: 1 },
  ];
  it.each(cases)('$channel → 402 and handshake advice', async (message) => {
    const [reply] = await send(s.url, [{ ...message, clientId: 'nope', id: 'u' }]);
    expect(reply).toEqual({ channel: message.channel, successful: false, id: 'u', error: '402:nope:Unknown client', advice: { reconnect: 'handshake', interval: 0 } });
  });

  it('a session expires after sessionTimeoutMs without a connect', async () => {
    const id = await handshake(s.url);
    await connect(s.url, id, { advice: { timeout: 0 } });
    expect(await s.bayeux.expireSessions(Date.now() + s.bayeux.options.sessionTimeoutMs - 1_000)).toEqual([]);
    expect(await s.bayeux.expireSessions(Date.now() + s.bayeux.options.sessionTimeoutMs + 1)).toEqual([id]);
    expect((await connect(s.url, id, { advice: { timeout: 0 } }))[0]).toMatchObject({ successful: false, error: `402:${id}:Unknown client` });
  });
});

describe('channels', () => {
  it('/a/* matches one more segment, /a/** one or more; neither matches /a, /ab, meta or service', async () => {
    const one = await handshake(s.url);
    const many = await handshake(s.url);
    await subscribe(s.url, one, '/a/*');
    await subscribe(s.url, many, '/a/**');
    for (const id of [one, many]) await connect(s.url, id, { advice: { timeout: 0 } });
    for (const channel of ['/a', '/ab', '/ab/c', '/a/b', '/a/b/c']) await publish(s.url, one, channel, channel);
    expect((await publish(s.url, one, '/service/a/b', 'svc')).successful).toBe(true);
    const got = async (id: string): Promise<unknown[]> => deliveries(await connect(s.url, id, { advice: { timeout: 0 } })).map((d) => d.data);
    expect(await got(one)).toEqual(['/a/b']);
    expect(await got(many)).toEqual(['/a/b', '/a/b/c']);
  });

  it('/service/* is accepted and never broadcast, even to /**', async () => {
    const id = await handshake(s.url);
    expect(await subscribe(s.url, id, ['/**', '/service/echo'])).toMatchObject({ successful: true });
    await connect(s.url, id, { advice: { timeout: 0 } });
    expect(await publish(s.url, id, '/service/echo', 'private')).toMatchObject({ successful: true });
    await publish(s.url, id, '/marker', 'after');
    expect(deliveries(await connect(s.url, id, { advice: { timeout: 0 } }))).toEqual([{ channel: '/marker', data: 'after' }]);
  });

  it('refuses publishing to a pattern, an unknown meta channel, or a malformed name', async () => {
    const id = await handshake(s.url);
    expect(await publish(s.url, id, '/a/*', 1)).toMatchObject({ successful: false, error: '405:/a/*:Invalid channel', id: 'p' });
    expect(await publish(s.url, id, '/meta/foo', 1)).toMatchObject({ successful: false, error: '404:/meta/foo:Unknown meta channel' });
    // Matched exactly: a suffix is no way into /meta/subscribe (Faye's CVE-2020-11020).
    expect(await publish(s.url, id, '/meta/subscribe/x', 1)).toMatchObject({ successful: false, error: expect.stringMatching(/^404:/) });
    expect(await publish(s.url, id, 'no-slash', 1)).toMatchObject({ successful: false, error: expect.stringMatching(/^405:/) });
    expect(await subscribe(s.url, id, '/meta/connect')).toMatchObject({ successful: false, error: expect.stringMatching(/^403:/) });
    expect(await subscribe(s.url, id, '/a/**/b')).toMatchObject({ successful: false, error: expect.stringMatching(/^405:/) });
  });

  it('unsubscribe stops deliveries', async () => {
    const id = await handshake(s.url);
    await subscribe(s.url, id, ['/a', '/b']);
    await connect(s.url, id, { advice: { timeout: 0 } });
    const [reply] = await send(s.url, [{ channel: '/meta/unsubscribe', clientId: id, subscription: ['/a'], id: 'u' }]);
    expect(reply).toEqual({ channel: '/meta/unsubscribe', successful: true, clientId: id, subscription: ['/a'], id: 'u' });
    await s.hub.publish('a', 1);
    await s.hub.publish('b', 2);
    expect(deliveries(await connect(s.url, id, { advice: { timeout: 0 } }))).toEqual([{ channel: '/b', data: 2 }]);
  });
});

describe('disconnect', () => {
  it('releases the held connect and ends the session', async () => {
    const id = await handshake(s.url);
    const held = connect(s.url, id);
    await untilHeld(s.hub);
    const [reply] = await send(s.url, [{ channel: '/meta/disconnect', clientId: id, id: 'd' }]);
    expect(reply).toEqual({ channel: '/meta/disconnect', successful: true, clientId: id, id: 'd' });
    expect((await held)[0]).toMatchObject({ successful: true, advice: { reconnect: 'none' } });
    expect((await subscribe(s.url, id, '/a')).error).toBe(`402:${id}:Unknown client`);
  });
});

describe('bodies and connection types', () => {
  it('POST message= form and text/plain bodies (Faye cross-origin)', async () => {
    const form = await post(s.url, undefined, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `message=${encodeURIComponent(JSON.stringify([HS]))}` });
    expect(form.body[0].successful).toBe(true);
    const plain = await post(s.url, undefined, { headers: { 'content-type': 'text/plain;charset=UTF-8' }, body: `message=${encodeURIComponent(JSON.stringify(HS))}` });
    expect(plain.body[0].successful).toBe(true);
    const none = await post(s.url, undefined, { headers: {}, body: JSON.stringify(HS) });
    expect(none.body[0].successful).toBe(true);
  });

  it('a single object is a batch of one', async () => {
    expect((await send(s.url, HS))[0]!.successful).toBe(true);
  });

  it('callback-polling: GET ?message=&jsonp=, hardened', async () => {
    const id = await handshake(s.url);
    await subscribe(s.url, id, '/t');
    await connect(s.url, id, { advice: { timeout: 0 } });
    await s.hub.publish('t', 'line\u2028sep\u2029');
    const message = JSON.stringify([{ channel: '/meta/connect', clientId: id, connectionType: 'callback-polling', advice: { timeout: 0 }, id: 'j' }]);
    const response = await fetch(`${s.url}?jsonp=cb_1.x&message=${encodeURIComponent(message)}`);
    expect(response.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-disposition')).toBe('attachment');
    expect(response.headers.get('cache-control')).toBe('no-cache, no-store');
    const body = await response.text();
    expect(body.startsWith("/**/typeof cb_1.x==='function'&&cb_1.x([")).toBe(true);
    expect(body).toContain('line\\u2028sep\\u2029');
    expect(body).not.toMatch(/[\u2028\u2029]/);
    const answer = JSON.parse(body.slice(body.indexOf('(') + 1, body.lastIndexOf(')')).replace(/\\u202[89]/g, ' '));
    expect(answer[0]).toMatchObject({ id: 'j', successful: true });
    const defaulted = await (await fetch(`${s.url}?message=${encodeURIComponent(JSON.stringify([HS]))}`)).text();
    expect(defaulted.startsWith("/**/typeof jsonpcallback==='function'&&jsonpcallback([")).toBe(true);
  });

  it('refuses a callback name that is not a JavaScript identifier path', async () => {
    for (const name of ['alert(1)', 'a b', '1a', 'x'.repeat(65)]) {
      const response = await fetch(`${s.url}?jsonp=${encodeURIComponent(name)}&message=${encodeURIComponent(JSON.stringify([HS]))}`);
      expect(response.status).toBe(400);
      expect((await response.json()).error.code).toBe('bad_callback');
    }
  });

  it('cross-origin-long-polling: the preflight and the answer carry the CORS grant of the hub', async () => {
    const pre = await fetch(s.url, { method: 'OPTIONS', headers: { origin: 'http://app.test', 'access-control-request-method': 'POST' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('http://app.test');
    expect(pre.headers.get('access-control-allow-methods')).toContain('POST');
    const answer = await post(s.url, [HS], { headers: { 'content-type': 'application/json', origin: 'http://app.test' } });
    expect(answer.headers.get('access-control-allow-origin')).toBe('http://app.test');
    const stranger = await post(s.url, [HS], { headers: { 'content-type': 'application/json', origin: 'http://evil.test' } });
    expect(stranger.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers 405 to other methods', async () => {
    const response = await fetch(s.url, { method: 'PUT', body: '[]' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, POST, OPTIONS');
  });
});

describe('no Bayeux message → 400 JSON, never []', () => {
  it.each([
    ['malformed JSON', '[{"channel":'],
    ['an empty batch', '[]'],
    ['a number', '42'],
    ['an array of non-objects', '[1,2]'],
  ])('%s', async (_what, body) => {
    const response = await post(s.url, undefined, { body, headers: { 'content-type': 'application/json' } });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
  });

  it('a message without a channel gets a Bayeux error reply with its id', async () => {
    const [reply] = await send(s.url, [{ id: 'q' }]);
    expect(reply).toMatchObject({ successful: false, id: 'q', error: expect.stringMatching(/^400:channel:/) });
  });
});

it('an http.Agent request aborted while held leaves no connect behind', async () => {
  const id = await handshake(s.url);
  const request = http.request(s.url, { method: 'POST', headers: { 'content-type': 'application/json' } });
  request.on('error', () => undefined);
  request.end(JSON.stringify([{ channel: '/meta/connect', clientId: id, connectionType: 'long-polling' }]));
  await untilHeld(s.hub);
  request.destroy();
  for (let turns = 0; (s.hub.stats().connectionsByTransport.bayeux ?? 0) > 0; turns++) {
    if (turns > 5_000_000) throw new Error('the connect was never released');
    await new Promise((resolve) => setImmediate(resolve));
  }
});
