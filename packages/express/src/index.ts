/**
 * @cometkit/express: mounts a cometkit hub in an Express 4 or 5 app. The adapter only translates
 * Express's request into cometkit's; the hub and the Node bridge in `@cometkit/core` do the rest.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { handleNode, type CometHandler, type CometHub, type EndpointOptions } from '@cometkit/core';

/** The parts of an Express request the adapter reads (Express 4 and 5 both have them). */
export type ExpressRequestLike = IncomingMessage & {
  url: string;
  originalUrl?: string;
  /** The path the middleware is mounted on; empty at the root. */
  baseUrl?: string;
  params?: Record<string, string>;
  body?: unknown;
};

/** An Express middleware or route handler. */
export type ExpressHandler = (req: ExpressRequestLike, res: ServerResponse, next: (error?: unknown) => void) => void;

/**
 * Serves every cometkit route under the path it is mounted on (mounted at the root, it takes only
 * cometkit's own routes and passes everything else on):
 * `app.use('/comet', cometExpress(hub))` answers `GET /comet/poll`, `POST /comet/publish`, …
 */
export function cometExpress(hub: CometHub): ExpressHandler {
  const all = serve(hub.handle, (req) => req.url);
  return (req, res, next) => {
    // Under a mount path every path is cometkit's (unknown ones answer 404); at the root only its routes are.
    if (!req.baseUrl && !hub.serves(req.url.split('?', 1)[0]!)) return next();
    all(req, res, next);
  };
}

/**
 * One push endpoint whose channel comes from the route, not the client:
 * `app.get('/orders/:id/updates', cometRoute(hub, { channel: 'orders/:id' }))`.
 * The transport defaults to long-poll; the client only sends its cursor.
 */
export function cometRoute(hub: CometHub, options: EndpointOptions): ExpressHandler {
  return serve(hub.endpoint(options), (req) => '/' + search(req.url));
}

function serve(handler: CometHandler, urlOf: (req: ExpressRequestLike) => string): ExpressHandler {
  return (req, res, next) => {
    handleNode(handler, req, res, { url: urlOf(req), params: req.params, parsedBody: req.body, raw: req }).catch(next);
  };
}

function search(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? '' : url.slice(at);
}
