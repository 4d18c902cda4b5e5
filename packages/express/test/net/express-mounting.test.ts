import { cometExpress, cometRoute } from '@cometkit/express';
import { postJson, request } from '@cometkit/core/testing';
import { expressMajors, withExpressApp } from '../support/express-app';

/** Publishes two messages and polls `url` from the cursor between them: a poll that answers at once. */
async function pollFrom(url: string, hub: { publish(channel: string, data: unknown): Promise<{ cursor: string }> }, channel = 'feed'): Promise<unknown[]> {
  const { cursor } = await hub.publish(channel, 'before');
  await hub.publish(channel, 'hello');
  const res = await request(`${url}${url.includes('?') ? '&' : '?'}cursor=${cursor}`);
  expect(res.status).toBe(200);
  return res.json().messages.map((m: { data: unknown }) => m.data);
}

describe.each(expressMajors)('cometExpress on %s', (_name, express) => {
  it('serves every route under its mount path, and answers 404 for unknown ones there', async () => {
    await withExpressApp(express, (app, hub) => app.use('/comet', cometExpress(hub)), async (server, hub) => {
      expect(await pollFrom(`${server.mount}/poll?channel=feed`, hub)).toEqual(['hello']);
      expect((await postJson(`${server.mount}/publish`, { channel: 'feed', data: 1 })).status).toBe(200);
      expect((await request(`${server.mount}/nope`)).json().error.code).toBe('not_found');
    });
  });

  it('at the root takes only its own routes and passes the rest on to the app', async () => {
    const build = (app: any, hub: Parameters<typeof cometExpress>[0]): void => {
      app.use(cometExpress(hub));
      app.get('/home', (_req: unknown, res: { send(body: string): void }) => res.send('app'));
    };
    await withExpressApp(express, build, async (server, hub) => {
      expect(await pollFrom(`${server.origin}/poll?channel=feed`, hub)).toEqual(['hello']);
      expect((await request(`${server.origin}/home`)).text).toBe('app');
      expect((await request(`${server.origin}/elsewhere`)).status).toBe(404);
    });
  });

  it('serves one endpoint per route, its channel taken from the route parameters', async () => {
    const build = (app: any, hub: Parameters<typeof cometRoute>[0]): void => {
      app.get('/orders/:id/updates', cometRoute(hub, { channel: 'orders/:id' }));
      app.get('/orders/:id/by-function', cometRoute(hub, { channel: (req) => `orders/${req.params.id}` }));
    };
    await withExpressApp(express, build, async (server, hub) => {
      expect(await pollFrom(`${server.origin}/orders/7/updates?channel=orders/8`, hub, 'orders/7')).toEqual(['hello']);
      expect(await pollFrom(`${server.origin}/orders/9/by-function`, hub, 'orders/9')).toEqual(['hello']);
    });
  });
});
