import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Router from '@koa/router';
import { withComet, type CometHub } from '@cometkit/core';
import { cometExpress, cometRoute } from '@cometkit/express';
import { cometKoa, cometKoaRoute } from '@cometkit/koa';

/* eslint-disable @typescript-eslint/no-require-imports */
// Both majors of each framework are installed side by side (express4 and koa2 are npm aliases).
const frameworks = {
  express4: require('express4'),
  express5: require('express'),
  koa2: require('koa2'),
  koa3: require('koa'),
};

/** A server started on 127.0.0.1, port 0. */
export interface RunningServer {
  /** `http://127.0.0.1:PORT` */
  origin: string;
  /** Where the hub is mounted: `${origin}/comet`. */
  mount: string;
  server: http.Server;
  close(): Promise<void>;
}

/** What a test may add to the app before cometkit is mounted (compression, body parsers). */
export interface AppSetup {
  express?: (app: any) => void;
  koa?: (app: any) => void;
}

/** One kind of server the shared tests run against. */
export interface ServerKind {
  name: keyof typeof frameworks | 'withComet' | `${string} behind nginx`;
  /** A proxy stands in front (it consumes headers addressed to it, such as X-Accel-Buffering). */
  proxy?: boolean;
  start(hub: CometHub, setup?: AppSetup): Promise<RunningServer>;
}

/**
 * A blank page that loads the browser client with one script tag (from `scriptSrc`, by default
 * the hub's own `/comet/client.js`), for browser tests to drive with `page.evaluate`.
 */
export function clientPage(scriptSrc = '/comet/client.js'): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>cometkit test page</title><script src="${scriptSrc}"></script></head><body></body></html>`;
}

/**
 * Every app mounts the hub under `/comet` and two per-route endpoints for channel `orders/<id>`:
 * `GET /orders/:id/updates` (long-poll) and `GET /orders/:id/events` (SSE); `GET /app/page` is
 * {@link clientPage}. Unknown paths answer 404 from the app.
 */
function expressKind(name: 'express4' | 'express5'): ServerKind {
  return {
    name,
    start: (hub, setup) => listen(http.createServer(expressApp(name, hub, setup, true))),
  };
}

/** The Express app of {@link expressKind}; `mount: false` leaves `/comet` to a `withComet` in front. */
function expressApp(name: 'express4' | 'express5', hub: CometHub, setup: AppSetup | undefined, mount: boolean): http.RequestListener {
  const app = frameworks[name]();
  setup?.express?.(app);
  if (mount) app.use('/comet', cometExpress(hub));
  app.get('/orders/:id/updates', cometRoute(hub, { channel: 'orders/:id' }));
  app.get('/orders/:id/events', cometRoute(hub, { channel: (req) => `orders/${req.params.id}`, transport: 'sse' }));
  app.get('/app/ping', (_req: unknown, res: { send(body: string): void }) => res.send('pong'));
  app.get('/app/page', (_req: unknown, res: { type(t: string): { send(body: string): void } }) => res.type('html').send(clientPage()));
  return app;
}

/**
 * The fast path: `withComet` serves `/comet` from node:http in front of the Express 5 app (which
 * keeps its per-route endpoints and pages). Compression set up for Express does not apply to the
 * mount, which is as users get it.
 */
const withCometKind: ServerKind = {
  name: 'withComet',
  start: (hub, setup) => listen(http.createServer(withComet(hub, '/comet', expressApp('express5', hub, setup, false)))),
};

function koaKind(name: 'koa2' | 'koa3'): ServerKind {
  return {
    name,
    start(hub, setup) {
      const Koa = frameworks[name];
      const app = new Koa();
      setup?.koa?.(app);
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

export const serverKinds: readonly ServerKind[] = [
  expressKind('express4'),
  expressKind('express5'),
  koaKind('koa2'),
  koaKind('koa3'),
  withCometKind,
];

/** Listens on 127.0.0.1:0; `close()` ends every socket and waits for the server to stop. */
export function listen(server: http.Server): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const origin = `http://127.0.0.1:${port}`;
      resolve({
        origin,
        mount: `${origin}/comet`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
