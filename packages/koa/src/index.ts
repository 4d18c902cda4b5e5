/**
 * @cometkit/koa: mounts a cometkit hub (or any neutral handler) in a Koa 2 or 3 app, as middleware
 * under a prefix, under a `@koa/router` route, or on one route. The response is written by the Node
 * bridge in `@cometkit/core` (`ctx.respond = false` once the answer is ready), so held and streamed
 * responses never pass through Koa's body handling.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleNode, type CometHandler, type CometHub, type EndpointOptions } from '@cometkit/core';
import { isClientGone, toMountable, type Mountable } from '@cometkit/core/kit';
import { routerMount } from './router-mount';

/** The parts of a Koa context the adapter reads. */
export interface KoaContextLike {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  search: string;
  respond?: boolean;
  /** Set by `@koa/router`. */
  params?: Record<string, string>;
  /** Set by `@koa/router`: the pattern of the layer running (`/comet`, `/t/:tenant{/*rest}`). */
  routerPath?: string;
  /** Set by `@koa/router`: the raw values its pattern captured, in order. */
  captures?: readonly (string | undefined)[];
  /** `request.body` is set by a body parser such as `@koa/bodyparser`. */
  request: { body?: unknown };
  /** Koa's error reporting for this request. */
  onerror?: (error: unknown) => void;
}

/** A Koa middleware. */
export type KoaMiddleware = (ctx: KoaContextLike, next: () => Promise<unknown>) => Promise<void>;

/** Options of {@link cometKoa}. */
export interface CometKoaOptions {
  /** Path the routes live under, e.g. `/comet`, below any `@koa/router` route or prefix. Default: none. */
  prefix?: string;
}

/**
 * Serves every route of a hub (or any neutral handler) under `prefix` and passes everything else on:
 * `app.use(cometKoa(hub, { prefix: '/comet' }))` answers `GET /comet/poll`, `POST /comet/publish`, …
 * Under a `@koa/router` route the route's own path is the mount:
 * `router.all('/comet/{*path}', cometKoa(hub))`, or a router with `prefix: '/comet'`. With no mount
 * at all only the handler's own routes are taken (`/poll`, `/sse`, …).
 */
export function cometKoa(mountable: Mountable, options: CometKoaOptions = {}): KoaMiddleware {
  const { handle, serves, drainTimeoutMs } = toMountable(mountable);
  const prefix = (options.prefix ?? '').replace(/\/+$/, '');
  // Not an async function: the promise handed back is the handler's own (or the next middleware's),
  // with no extra promise and continuation per request.
  return (ctx, next) => {
    const path = ctx.path;
    // A router's route that called next() leaves its routerPath behind: then the app-level mount holds.
    const routed = ctx.routerPath ? routerMount(ctx) + prefix : prefix;
    const mount = below(path, routed) !== undefined ? routed : prefix;
    const rest = below(path, mount);
    // Under a mount every path is the handler's (unknown ones answer 404); at the root only its routes are.
    if (rest === undefined || (mount === '' && !serves(rest))) return next().then(nothing);
    return serve(handle, ctx, rest, drainTimeoutMs);
  };
}

const nothing = (): void => undefined;

/** `path` below `mount` (`/comet/poll` below `/comet` is `/poll`), or undefined when outside it. */
function below(path: string, mount: string): string | undefined {
  if (path === mount) return '/';
  return path.startsWith(mount + '/') ? path.slice(mount.length) : undefined;
}

/**
 * One push endpoint whose channel comes from the route, not the client:
 * `router.get('/orders/:id/updates', cometKoaRoute(hub, { channel: 'orders/:id' }))`.
 */
export function cometKoaRoute(hub: CometHub, options: EndpointOptions): KoaMiddleware {
  const handler = hub.endpoint(options);
  return (ctx) => serve(handler, ctx, '/', hub.options.drainTimeoutMs);
}

function serve(handler: CometHandler, ctx: KoaContextLike, path: string, drainTimeoutMs: number | undefined): Promise<void> {
  quietWhenClientLeaves(ctx);
  return handleNode(handler, ctx.req, ctx.res, {
    url: path + ctx.search,
    params: ctx.params,
    parsedBody: ctx.request.body,
    raw: ctx,
    drainTimeoutMs,
    // Only now: an error before this (a throwing `authorize`) still goes to the app's error middleware.
    beforeWrite: () => void (ctx.respond = false),
  });
}

/**
 * Koa reports every socket error of a response (`on-finished`) through `ctx.onerror`, which logs a
 * stack: for a held or streamed response a client going away is normal, so that one is dropped.
 * Koa's own reporter lives on the context's prototype: then one shared function stands in front
 * of it (no closure per request); one the app set on this context is wrapped as it is.
 */
function quietWhenClientLeaves(ctx: KoaContextLike): void {
  const report = ctx.onerror;
  if (!report) return;
  if (!Object.prototype.hasOwnProperty.call(ctx, 'onerror')) {
    ctx.onerror = quietProtoReport;
    return;
  }
  ctx.onerror = (error: unknown) => {
    if (!isClientGone(error)) report.call(ctx, error);
  };
}

/** Koa's `ctx.onerror` (the prototype's), minus a client going away; `this` is the context. */
function quietProtoReport(this: KoaContextLike, error: unknown): void {
  if (!isClientGone(error)) (Object.getPrototypeOf(this) as KoaContextLike).onerror?.call(this, error);
}
