import fc from 'fast-check';
import http from 'node:http';
import { createComet, type CometHub } from '@cometkit/core';
import { request, type RunningServer, until } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';

/**
 * Random garbage in every parameter of every route: the answer is always a well-formed success
 * or a 4xx with a JSON error (JSONP: handed to the callback), never a crash, a 5xx or a leak, and
 * a client listening meanwhile still gets its message.
 */
const routes = ['poll', 'jsonp', 'sse', 'stream', 'iframe', 'publish', 'nope', ''];
const junk = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('a', 'a/*', 'a/**', '/a/b', '**', 'a//b', '%', '%zz', '\u2028', '</script>', 'x'.repeat(300), 'abc-1', 'zz-99999999999999999999'),
);
const query = fc.dictionary(fc.constantFrom('channel', 'channels', 'cursor', 'callback', 'padding', 'x'), junk, { maxKeys: 4 });

/** One GET that gives up on a stream after its headers (streams never end by themselves). */
function probe(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false }, (res) => {
      let body = '';
      const type = String(res.headers['content-type'] ?? '');
      if (res.statusCode === 200 && /event-stream|ndjson|html/.test(type)) {
        req.destroy();
        return resolve({ status: 200, type, body });
      }
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type, body }));
    });
    req.on('error', reject);
  });
}

describe.each([serverKinds[0]!, serverKinds[3]!])('random bad input on $name', (kind) => {
  let hub: CometHub;
  let server: RunningServer;
  beforeAll(async () => {
    hub = createComet({ longPollTimeoutMs: 20, httpPublish: true, jsonp: true });
    server = await kind.start(hub);
  });
  afterAll(async () => {
    await hub.close();
    await server.close();
  });

  it('answers every request with a success or a 4xx JSON error, and keeps serving', async () => {
    const listener = request(`${server.mount}/poll?channel=watch`);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), query, async (route, params) => {
        const search = new URLSearchParams(params).toString();
        const res = await probe(`${server.mount}/${route}?${search}`);
        expect(res.status).toBeLessThan(500);
        if (res.status >= 400) {
          expect(res.type).toMatch(/^application\/json/);
          expect(JSON.parse(res.body)).toEqual({ error: { code: expect.any(String), message: expect.any(String) } });
        } else if (route === 'jsonp' && res.status === 200) {
          expect(res.body.startsWith('/**/typeof ')).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
    const state = (): string => `probes to be released; stats: ${JSON.stringify(hub.stats())}`;
    await until(() => (hub.stats().connectionsByTransport.poll ?? 0) <= 1, 5_000, state);
    // Still serving: a poll from a cursor taken before the publish answers with it, whatever the
    // (short) long-poll timeout did meanwhile.
    await listener;
    const { cursor } = await hub.publish('watch', 'before');
    await hub.publish('watch', 'still here');
    const next = await request(`${server.mount}/poll?channel=watch&cursor=${cursor}`);
    expect(next.json().messages.map((m: { data: unknown }) => m.data)).toEqual(['still here']);
    await until(() => hub.stats().connections === 0, 5_000, state);
  }, 60_000);

  it('refuses random publish bodies cleanly', async () => {
    const body = fc.oneof(fc.string({ maxLength: 200 }), fc.json(), fc.jsonValue().map((v) => JSON.stringify({ channel: v, data: v })));
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const res = await request(`${server.mount}/publish`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: text });
        expect([200, 400]).toContain(res.status);
        if (res.status === 400) expect(res.json().error.code).toMatch(/^(bad_json|bad_request|bad_channel)$/);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
