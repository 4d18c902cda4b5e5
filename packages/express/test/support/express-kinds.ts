import http from 'node:http';
import compression from 'compression';
import { withComet, type CometHub } from '@cometkit/core';
import { clientPage, listen, type ServerKind, type ServerSetup } from '@cometkit/core/testing';
import { cometExpress, cometRoute } from '@cometkit/express';

import { expressMajors } from './express-app';

const majors = Object.fromEntries(expressMajors) as Record<(typeof expressMajors)[number][0], any>;

/**
 * The Express app every Express kind serves (the {@link ServerKind} contract): the hub under
 * `/comet` (unless `mount` is false, for a `withComet` in front), the per-route endpoints for
 * `orders/<id>`, `/app/ping` and `/app/page`.
 */
function expressApp(major: keyof typeof majors, hub: CometHub, setup: ServerSetup | undefined, mount: boolean): http.RequestListener {
  const app = majors[major]();
  if (setup?.compress) app.use(compression({ threshold: 0 }));
  if (mount) app.use('/comet', cometExpress(hub));
  app.get('/orders/:id/updates', cometRoute(hub, { channel: 'orders/:id' }));
  app.get('/orders/:id/events', cometRoute(hub, { channel: (req) => `orders/${req.params.id}`, transport: 'sse' }));
  app.get('/app/ping', (_req: unknown, res: { send(body: string): void }) => res.send('pong'));
  app.get('/app/page', (_req: unknown, res: { type(t: string): { send(body: string): void } }) => res.type('html').send(clientPage()));
  return app;
}

/** The hub mounted with `cometExpress` in an Express app of one major. */
function expressKind(major: keyof typeof majors): ServerKind {
  return { name: major, start: (hub, setup) => listen(http.createServer(expressApp(major, hub, setup, true))) };
}

/** Express 4 and Express 5. */
export const expressKinds: readonly ServerKind[] = [expressKind('express4'), expressKind('express5')];

/**
 * The fast path: `withComet` serves `/comet` from node:http in front of the Express 5 app (which
 * keeps its per-route endpoints and pages). Compression set up for Express does not apply to the
 * mount, which is as users get it.
 */
export const withCometKind: ServerKind = {
  name: 'withComet',
  start: (hub, setup) => listen(http.createServer(withComet(hub, '/comet', expressApp('express5', hub, setup, false)))),
};
