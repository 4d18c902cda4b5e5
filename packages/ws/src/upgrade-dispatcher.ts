import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { cometError } from '@cometkit/core';
import { refuseUpgrade } from './refuse';

/** Handles one upgrade on the path it was routed for. */
export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void;

/** The one `upgrade` listener cometkit puts on a server, and the paths it routes. */
interface Dispatcher {
  readonly routes: Map<string, UpgradeHandler>;
  readonly listener: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}

const dispatchers = new WeakMap<Server, Dispatcher>();

/**
 * Routes upgrades on `path` of `server` to `handler`, through one `upgrade` listener per server
 * however many endpoints are attached (the hub's `ws`, Bayeux's WebSocket, …). An upgrade on a
 * path no endpoint serves is left to the server's other `upgrade` listeners, or answered 404 when
 * there are none: with two listeners of our own, each would leave it to the other and the
 * socket would hang. Returns the function that removes the route (and the listener with the last).
 */
export function routeUpgrade(server: Server, path: string, handler: UpgradeHandler): () => void {
  let dispatcher = dispatchers.get(server);
  if (!dispatcher) {
    const routes = new Map<string, UpgradeHandler>();
    const listener = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
      const url = new URL(req.url ?? '/', 'http://upgrade.invalid');
      const route = routes.get(url.pathname);
      if (route) return route(req, socket, head, url);
      if (server.listenerCount('upgrade') === 1) refuseUpgrade(socket, cometError('not_found', 'No WebSocket endpoint at this path.'));
    };
    dispatcher = { routes, listener };
    dispatchers.set(server, dispatcher);
    server.on('upgrade', listener);
  }
  const { routes, listener } = dispatcher;
  if (routes.has(path)) throw new TypeError(`cometkit: a WebSocket endpoint is already attached at ${path}`);
  routes.set(path, handler);
  return () => {
    if (routes.get(path) !== handler) return;
    routes.delete(path);
    if (routes.size > 0) return;
    server.off('upgrade', listener);
    dispatchers.delete(server);
  };
}
