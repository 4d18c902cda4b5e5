import http from 'node:http';
import Router from '@koa/router';
import koaCompress from 'koa-compress';
import { clientPage, listen, type ServerKind } from '@cometkit/core/testing';
import { cometKoa, cometKoaRoute } from '@cometkit/koa';

/* eslint-disable @typescript-eslint/no-require-imports */
// Both majors are installed side by side (koa2 is an npm alias).
const majors = { koa2: require('koa2'), koa3: require('koa') };

/**
 * The hub mounted with `cometKoa` under `/comet` in a Koa app of one major, with the per-route
 * endpoints for `orders/<id>`, `/app/ping` and `/app/page` on @koa/router (the {@link ServerKind} contract).
 */
function koaKind(major: keyof typeof majors): ServerKind {
  return {
    name: major,
    start(hub, setup) {
      const app = new majors[major]();
      if (setup?.quiet) app.silent = true;
      if (setup?.compress) app.use(koaCompress({ threshold: 0, br: false }));
      app.use(cometKoa(hub, { prefix: '/comet' }));
      const router = new Router();
      router.get('/orders/:id/updates', cometKoaRoute(hub, { channel: 'orders/:id' }) as never);
      router.get('/orders/:id/events', cometKoaRoute(hub, { channel: (req) => `orders/${req.params.id}`, transport: 'sse' }) as never);
      router.get('/app/ping', (ctx: { body: string }) => {
        ctx.body = 'pong';
      });
      router.get('/app/page', (ctx: { body: string; type: string }) => {
        ctx.type = 'html';
        ctx.body = clientPage();
      });
      app.use(router.routes());
      return listen(http.createServer(app.callback()));
    },
  };
}

/** Koa 2 and Koa 3. */
export const koaKinds: readonly ServerKind[] = [koaKind('koa2'), koaKind('koa3')];
