/**
 * @cometkit/express: mounts a cometkit hub (or any neutral handler) in an Express 4 or 5 app. The
 * adapter only translates Express's request into cometkit's; the hub and the Node bridge in
 * `@cometkit/core` do the rest.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleNode, isCometError, type CometHandler, type CometHub, type EndpointOptions } from '@cometkit/core';
import { toMountable, type Mountable } from '@cometkit/core/kit';

/** The parts of an Express request the adapter reads (Express 4 and 5 both have them). */
export type ExpressRequestLike = IncomingMessage & {
  url: string;
  originalUrl?: string;
  /** The path the middleware is mounted on; empty at the root. */
  baseUrl?: string;
  params?: Record<string, string>;
  body?: unknown;
};

/** A request on an Express route: its parameters are always there. */
export type RoutedRequest = ExpressRequestLike & { params: Record<string, string> };

/** An Express middleware or route handler. */
export type ExpressHandler = (req: ExpressRequestLike, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Serves every route of a hub (or any neutral handler) under the path it is mounted on:
 * `app.use('/comet', cometExpress(hub))` answers `GET /comet/poll`, `POST /comet/publish`, …
 * Mounted at the root it takes only the handler's own routes (`/poll`, `/stream`, `/publish`, …)
 * and passes everything else on, so mount it under a path unless the app has none of those.
 */
export function cometExpress(mountable: Mountable): ExpressHandler {
  const { handle, serves, drainTimeoutMs } = toMountable(mountable);
  const all = serve(handle, (req) => req.url, drainTimeoutMs);
  return (req, res, next) => {
    // Under a mount path every path is cometkit's (unknown ones answer 404); at the root only its routes are.
    if (!req.baseUrl && !serves(req.url.split('?', 1)[0]!)) return next();
    all(req, res, next);
  };
}

/**
 * One push endpoint whose channel comes from the route, not the client:
 * `app.get('/orders/:id/updates', cometRoute(hub, { channel: 'orders/:id' }))`.
 * The transport defaults to long-poll; the client only sends its cursor.
 */
export function cometRoute(hub: CometHub, options: EndpointOptions): ExpressHandler {
  return serve(hub.endpoint(options), (req) => '/' + search(req.url), hub.options.drainTimeoutMs);
}

/**
 * Wraps an async route handler so that a {@link CometError} it throws (a bad channel given to
 * `hub.publish`) is answered with its status and JSON body, and anything else reaches Express's
 * error handling instead of becoming an unhandled rejection (which crashes Express 4):
 * `app.post('/orders/:id/ship', cometAnswer((req) => hub.publish('orders/' + req.params.id, {})))`.
 * The handler's resolved value is sent as JSON.
 */
export function cometAnswer(
  handler: (req: RoutedRequest, res: ServerResponse) => Promise<unknown>,
): (req: RoutedRequest, res: ServerResponse, next: (error?: unknown) => void) => void {
  return (req, res, next) => {
    handler(req, res).then(
      (value) => send(res, 200, value),
      (error: unknown) => (isCometError(error) ? send(res, error.status, error.toBody(), error.headers) : next(error)),
    );
  };
}

function send(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'x-content-type-options': 'nosniff', ...headers });
  res.end(JSON.stringify(value ?? null));
}

function serve(handler: CometHandler, urlOf: (req: ExpressRequestLike) => string, drainTimeoutMs: number | undefined): ExpressHandler {
  return (req, res, next) => {
    void handleNode(handler, req, res, { url: urlOf(req), params: req.params, parsedBody: req.body, raw: req, onError: next, drainTimeoutMs });
  };
}

function search(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at);
}
