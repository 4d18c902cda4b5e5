import { createComet, type CometHub, type CometOptions } from '@cometkit/core';
import { postJson, request, type RunningServer } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';

async function withServer(kind: (typeof serverKinds)[number], options: CometOptions, run: (server: RunningServer, hub: CometHub) => Promise<void>): Promise<void> {
  const hub = createComet(options);
  const server = await kind.start(hub);
  try {
    await run(server, hub);
  } finally {
    await hub.close();
    await server.close();
  }
}

describe.each(serverKinds)('error answers on $name', (kind) => {
  it('say which methods a route takes on a 405', async () => {
    await withServer(kind, { httpPublish: true }, async (server) => {
      const publish = await request(`${server.mount}/publish`);
      expect(publish.status).toBe(405);
      expect(publish.headers.allow).toBe('POST, OPTIONS');
      const script = await request(`${server.mount}/client.js`, { method: 'POST', body: '' });
      expect(script.status).toBe(405);
      expect(script.headers.allow).toBe('GET, HEAD, OPTIONS');
    });
  });

  it('are never sniffed or framed by another origin, on every route including the iframe', async () => {
    await withServer(kind, {}, async (server) => {
      for (const path of ['/poll?channel=<b>x</b>', '/iframe?channel=a**b&callback=parent.f', '/nope', '/publish']) {
        const res = await request(`${server.mount}${path}`);
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
      }
    });
  });

  it('client.js varies on Origin whenever CORS is configured, matched or not', async () => {
    await withServer(kind, { cors: { origins: 'https://app.example' } }, async (server) => {
      for (const origin of [undefined, 'https://app.example', 'https://other.example']) {
        const res = await request(`${server.mount}/client.js`, { headers: origin ? { origin } : {} });
        expect(res.status).toBe(200);
        expect(res.headers.vary).toMatch(/\bOrigin\b/);
      }
    });
  });

  it('publishing refuses a Host not in allowedHosts, even when Origin is the same host (DNS rebinding)', async () => {
    await withServer(kind, { httpPublish: true, allowedHosts: ['127.0.0.1'] }, async (server) => {
      const rebound = await postJson(`${server.mount}/publish`, { channel: 'a', data: 1 }, { host: 'evil.example', origin: 'http://evil.example' });
      expect(rebound.status).toBe(403);
      expect(rebound.json().error.code).toBe('csrf');
      const own = await postJson(`${server.mount}/publish`, { channel: 'a', data: 1 }, { origin: server.origin });
      expect(own.status).toBe(200);
    });
  });
});
