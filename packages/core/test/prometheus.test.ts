import * as client from 'prom-client';
import { createComet, exposePrometheus } from '@cometkit/core';

describe('exposePrometheus', () => {
  it('reports the hub stats through a real prom-client registry at scrape time', async () => {
    const hub = createComet();
    const registry = new client.Registry();
    exposePrometheus(hub.stats, client, { registers: [registry] });
    await hub.publish('a', 1);
    await hub.publish('a', 2);
    const text = await registry.metrics();
    expect(text).toContain('cometkit_published_total 2');
    expect(text).toContain('cometkit_slow_client_cutoffs_total 0');
    expect(text).toMatch(/# TYPE cometkit_connections gauge/);
    // A held poll through the neutral contract directly (a real AbortSignal fits it).
    const controller = new AbortController();
    const held = hub.handle({
      method: 'GET',
      path: '/poll',
      query: new URLSearchParams('channel=b'),
      params: {},
      header: () => undefined,
      body: () => Promise.resolve(Buffer.alloc(0)),
      signal: controller.signal,
      raw: undefined,
    });
    await hub.publish('a', 3);
    const during = await registry.metrics();
    expect(during).toContain('cometkit_published_total 3');
    expect(during).toContain('cometkit_connections{transport="poll"} 1');
    controller.abort();
    await held;
    expect(await registry.metrics()).toContain('cometkit_connections{transport="poll"} 0');
    await hub.close();
  });
});
