import vm from 'node:vm';
import { createComet, type CometHub } from '@cometkit/core';
import { request, type RunningServer } from '@cometkit/core/testing';
import { serverKinds } from './support/servers';

// `GET {mount}/client.js`: the browser client as one script, served by the hub itself.
describe.each(serverKinds)('client.js on $name', (kind) => {
  let hub: CometHub;
  let server: RunningServer;
  beforeAll(async () => {
    hub = createComet();
    server = await kind.start(hub);
  });
  afterAll(async () => {
    await hub.close();
    await server.close();
  });

  it('serves the minified client with caching headers, and it defines cometkit.createClient', async () => {
    const res = await request(`${server.mount}/client.js`);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/javascript; charset=utf-8');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['cache-control']).toBe('public, max-age=3600');
    expect(res.headers.etag).toMatch(/^"[\w-]{22}"$/);
    expect(res.text.length).toBeGreaterThan(1000);
    expect(res.text.length).toBeLessThan(20_000);
    const sandbox: { cometkit?: { createClient?: unknown } } = {};
    vm.runInNewContext(res.text, sandbox);
    expect(typeof sandbox.cometkit?.createClient).toBe('function');
  });

  it('answers 304 with no body when the ETag matches, and the script again when it does not', async () => {
    const { headers } = await request(`${server.mount}/client.js`);
    const etag = headers.etag as string;
    const same = await request(`${server.mount}/client.js`, { headers: { 'if-none-match': `"other", W/${etag}` } });
    expect(same.status).toBe(304);
    expect(same.text).toBe('');
    expect(same.headers.etag).toBe(etag);
    const other = await request(`${server.mount}/client.js`, { headers: { 'if-none-match': '"stale"' } });
    expect(other.status).toBe(200);
    expect(other.text.length).toBeGreaterThan(1000);
  });

  it('answers HEAD without a body and refuses POST', async () => {
    const head = await request(`${server.mount}/client.js`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    const post = await request(`${server.mount}/client.js`, { method: 'POST', body: '' });
    expect(post.status).toBe(405);
    expect(post.json().error.code).toBe('method_not_allowed');
  });
});
