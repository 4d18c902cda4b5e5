import http from 'node:http';
import Router from '@koa/router';
import { createComet, type CometHub } from '@cometkit/core';
import { cometKoa } from '@cometkit/koa';
import { listen, postJson, request, type RunningServer } from '@cometkit/core/testing';

/* eslint-disable @typescript-eslint/no-require-imports */
const frameworks = [
  ['koa2', require('koa2')],
  ['koa3', require('koa')],
] as const;

async function withApp(Koa: any, build: (app: any, hub: CometHub) => void, run: (server: RunningServer, hub: CometHub) => Promise<void>, hub = createComet({ httpPublish: true })): Promise<void> {
  const app = new Koa();
  build(app, hub);
  const server = await listen(http.createServer(app.callback()));
  try {
    await run(server, hub);
  } finally {
    await hub.close();
    await server.close();
  }
}

/** A poll that answers at once: the cursor is behind a message already published. */
async function pollAt(url: string, hub: CometHub): Promise<unknown[]> {
  const { cursor } = await hub.publish('feed', 'before');
  await hub.publish('feed', 'hello');
  const res = await request(`${url}/poll?channel=feed&cursor=${cursor}`);
  expect(res.status).toBe(200);
  return res.json().messages.map((m: { data: unknown }) => m.data);
}

describe.each(frameworks)('cometKoa under @koa/router on %s', (_name, Koa) => {
  it('serves under a route pattern with a wildcard: router.all("/comet/{*path}")', async () => {
    await withApp(Koa, (app, hub) => {
      const router = new Router();
      router.all('/comet/{*path}', cometKoa(hub) as never);
      app.use(router.routes());
    }, async (server, hub) => {
      expect(await pollAt(`${server.origin}/comet`, hub)).toEqual(['hello']);
      expect((await request(`${server.origin}/comet/nope`)).json().error.code).toBe('not_found');
    });
  });

  it('serves under a router prefix, with parameters, and a path given to router.use', async () => {
    await withApp(Koa, (app, hub) => {
      const tenants = new Router({ prefix: '/t/:tenant' });
      tenants.use(cometKoa(hub, { prefix: '/comet' }) as never);
      tenants.all('/comet/{*path}', () => undefined);
      const api = new Router({ prefix: '/api' });
      api.use('/comet', cometKoa(hub) as never);
      api.all('/comet/{*path}', () => undefined);
      app.use(tenants.routes()).use(api.routes());
    }, async (server, hub) => {
      expect(await pollAt(`${server.origin}/t/acme/comet`, hub)).toEqual(['hello']);
      expect(await pollAt(`${server.origin}/api/comet`, hub)).toEqual(['hello']);
      const published = await postJson(`${server.origin}/api/comet/publish`, { channel: 'feed', data: 1 });
      expect(published.status).toBe(200);
    });
  });

  it('takes only its own routes under an app-level prefix, after a router that passed on, and the rest goes on', async () => {
    await withApp(Koa, (app, hub) => {
      // A route that only looks and passes on leaves @koa/router's routerPath on the context.
      const router = new Router();
      router.get('/comet/{*path}', (_ctx: unknown, next: () => Promise<void>) => next());
      app.use(router.routes());
      app.use(cometKoa(hub, { prefix: '/comet' }));
      app.use((ctx: any) => void (ctx.body = 'app'));
    }, async (server, hub) => {
      expect(await pollAt(`${server.origin}/comet`, hub)).toEqual(['hello']);
      expect((await request(`${server.origin}/cometx/poll`)).text).toBe('app');
    });
  });

  it('hands an error thrown by authorize to the app error middleware, and answers', async () => {
    const refuse = async (): Promise<boolean> => {
      throw Object.assign(new Error('auth backend down'), { status: 502 });
    };
    const hub = createComet({ authorize: refuse });
    await withApp(Koa, (app) => {
      app.use(async (ctx: any, next: () => Promise<void>) => {
        try {
          await next();
        } catch (error) {
          ctx.status = (error as { status: number }).status;
          ctx.body = { failed: (error as Error).message };
        }
      });
      app.use(cometKoa(hub, { prefix: '/comet' }));
    }, async (server) => {
      const res = await request(`${server.mount}/poll?channel=feed`);
      expect(res.status).toBe(502);
      expect(res.json()).toEqual({ failed: 'auth backend down' });
    }, hub);
  });
});
