import fc from 'fast-check';
import { startBayeux, type BayeuxServer } from '../support/servers';
import { handshake, post, publish, send, subscribe } from '../support/wire';

let s: BayeuxServer;
afterEach(() => s.close());

const HS = { channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] };

it('enforces message size, batch length, subscriptions per session and sessions', async () => {
  s = await startBayeux(undefined, { bayeux: { publishing: true, limits: { maxMessageBytes: 1_000, maxBatch: 3, maxSubscriptions: 2, maxSessions: 2, maxBodyBytes: 4_000 } } });
  const id = await handshake(s.url);
  expect(await publish(s.url, id, '/a', 'x'.repeat(1_200))).toMatchObject({ successful: false, id: 'p', error: '413:1000:Message too large' });
  expect(await publish(s.url, id, '/a', 'x'.repeat(500))).toMatchObject({ successful: true });
  const four = [1, 2, 3, 4].map((n) => ({ channel: '/a', clientId: id, data: n }));
  expect((await post(s.url, four)).status).toBe(400);
  expect((await post(s.url, [{ channel: '/a', clientId: id, data: 'y'.repeat(5_000) }])).status).toBe(413);
  expect(await subscribe(s.url, id, ['/a', '/b'])).toMatchObject({ successful: true });
  expect(await subscribe(s.url, id, ['/c'])).toMatchObject({ successful: false, error: '409:2:Too many subscriptions' });
  expect(await subscribe(s.url, id, ['/a'])).toMatchObject({ successful: true });
  await handshake(s.url);
  const [third] = await send(s.url, [HS]);
  expect(third).toMatchObject({ successful: false, error: expect.stringMatching(/^503::/), advice: { reconnect: 'handshake' } });
});

/** Anything a client might send as one message: well-known channels with fields of every type. */
const field = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.jsonValue({ maxDepth: 2 }));
const channel = fc.oneof(
  fc.constantFrom('/meta/handshake', '/meta/connect', '/meta/subscribe', '/meta/unsubscribe', '/meta/disconnect', '/meta/x', '/service/s', '/a', '/a/*', '/**', 'a', ''),
  fc.string(),
  field,
);
const message = fc.record(
  { channel, id: field, clientId: fc.oneof(field, fc.constant('CLIENT')), data: field, subscription: fc.oneof(field, fc.array(fc.string())), connectionType: field, supportedConnectionTypes: field, advice: fc.oneof(field, fc.record({ timeout: fc.constantFrom(0, -1, 'x', 1e20) })), ext: field },
  { requiredKeys: [] },
);

it('any batch gets 200 with one reply per message (id echoed), or a 400/413 JSON error: never a 500, [] or a hang', async () => {
  s = await startBayeux(undefined, { bayeux: { timeoutMs: 0 } });
  const id = await handshake(s.url);
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.array(message, { maxLength: 4 }), message, fc.jsonValue({ maxDepth: 3 })), async (body) => {
      const text = JSON.stringify(body).replaceAll('"CLIENT"', JSON.stringify(id));
      const response = await post(s.url, undefined, { body: text, headers: { 'content-type': 'application/json' } });
      if (response.status !== 200) {
        expect([400, 413]).toContain(response.status);
        expect(response.body.error).toEqual({ code: expect.any(String), message: expect.any(String) });
        return;
      }
      const sent = JSON.parse(text) as unknown;
      const list = (Array.isArray(sent) ? sent : [sent]) as Record<string, unknown>[];
      expect(Array.isArray(response.body)).toBe(true);
      const replies = (response.body as Record<string, unknown>[]).filter((m) => 'successful' in m);
      expect(replies).toHaveLength(list.length);
      replies.forEach((reply, i) => {
        const wanted = list[i]!.id;
        if (typeof wanted === 'string' || typeof wanted === 'number') expect(reply.id).toBe(wanted);
        if (reply.successful === false) expect(reply.error).toMatch(/^\d{3}:[^:]*:.+/);
      });
    }),
    { numRuns: 150 },
  );
});

it('malformed bodies of every kind are 400 JSON', async () => {
  s = await startBayeux();
  await fc.assert(
    fc.asyncProperty(fc.string(), async (text) => {
      let valid = true;
      try {
        const value = JSON.parse(text) as unknown;
        valid = (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'object' && v !== null && !Array.isArray(v))) || (typeof value === 'object' && value !== null && !Array.isArray(value));
      } catch {
        valid = false;
      }
      fc.pre(!valid);
      const response = await post(s.url, undefined, { body: text, headers: { 'content-type': 'application/json' } });
      expect(response.status).toBe(400);
    }),
    { numRuns: 100 },
  );
});
