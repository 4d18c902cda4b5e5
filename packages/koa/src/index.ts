/**
 * @cometkit/koa: mounts a cometkit hub in a Koa 2 or 3 app, as middleware under a prefix or on one
 * `@koa/router` route. The response is written by the Node bridge in `@cometkit/core`
 * (`ctx.respond = false`), so held and streamed responses never pass through Koa's body handling.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleNode, type CometHandler, type CometHub, type EndpointOptions } from '@cometkit/core';

/** The parts of a Koa context the adapter reads. */
export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  search: string;
  respond?: boolean;
  /** Set by `@koa/router`. */
  params?: Record<string, string>;
  /** `request.body` is set by a body parser such as `@koa/bodyparser`. */
  request: { body?: unknown };
}

/** A Koa middleware. */
export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;

/** Options of {@link cometKoa}. */
export interface CometKoaOptions {
  /** Path the routes live under, e.g. `/comet`. Default: the root. */
  prefix?: string;
}

/**
 * Serves every cometkit route under `prefix` and passes everything else on (with no prefix, only
 * cometkit's own routes are taken: `/poll`, `/sse`, …):
 * `app.use(cometKoa(hub, { prefix: '/comet' }))` answers `GET /comet/poll`, `POST /comet/publish`, …
 */
export function cometKoa(hub: CometHub, options: CometKoaOptions = {}): KoaMiddleware {
  const prefix = (options.prefix ?? '').replace(/\/+$/, '');
  return async (ctx, next) => {
    const rest = ctx.path === prefix ? '/' : ctx.path.startsWith(prefix + '/') ? ctx.path.slice(prefix.length) : undefined;
    // Under a prefix every path is cometkit's (unknown ones answer 404); at the root only its routes are.
    if (rest === undefined || (prefix === '' && !hub.serves(rest))) return void (await next());
    await serve(hub.handle, ctx, rest);
  };
}

/**
 * One push endpoint whose channel comes from the route, not the client:
 * `router.get('/orders/:id/updates', cometKoaRoute(hub, { channel: 'orders/:id' }))`.
 */
export function cometKoaRoute(hub: CometHub, options: EndpointOptions): KoaMiddleware {
  const handler = hub.endpoint(options);
  return (ctx) => serve(handler, ctx, '/');
}

function serve(handler: CometHandler, ctx: KoaContextLike, path: string): Promise<void> {
  ctx.respond = false;
  return handleNode(handler, ctx.req, ctx.res, {
    url: path + ctx.search,
    params: ctx.params,
    parsedBody: ctx.request.body,
    raw: ctx,
  });
}
