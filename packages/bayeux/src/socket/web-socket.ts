import type { Server } from 'node:http';
import { createLog } from '@cometkit/core/kit';
import { createSocketEndpoint, resolveWebSocketOptions, SocketGuard, UpgradeRequest, type WebSocketOptions } from '@cometkit/ws';
import { internalsOf, type BayeuxEndpoint } from '../endpoint/create-bayeux';
import { WEBSOCKET } from '../message';
import { BayeuxSocket, type SocketDoor } from './bayeux-socket';

/** Options of {@link attachBayeuxWebSocket}: those of `@cometkit/ws` but a maximum age, with Bayeux's defaults. */
export type BayeuxWebSocketOptions = Omit<WebSocketOptions, 'maxAgeMs'>;

/** What {@link attachBayeuxWebSocket} returns. */
export interface AttachedBayeuxWebSocket {
  /** Open sockets now. */
  readonly size: number;
  /** Stops taking upgrades, takes `websocket` off the handshake's list, and destroys every socket. */
  close(): void;
}

/**
 * Frames a Bayeux client may send per second: Faye sends one frame per message over WebSocket
 * (it batches only over HTTP), so an app publishing in a loop sends hundreds.
 */
const FRAMES_PER_SECOND = 1_000;

/**
 * Serves a Bayeux endpoint over WebSocket on `server`'s `upgrade` event, at `options.path`
 * (default `/bayeux`: the path the endpoint is mounted at, where Faye and CometD open their
 * socket), and lists `websocket` first in its handshakes' `supportedConnectionTypes`. The session
 * logic is the HTTP one: a connect is held and answered the same way, an answer the socket could
 * not take is read again, and a socket that closes ends its held connect with nothing lost.
 *
 * ```ts
 * const bayeux = createBayeux(hub);
 * app.use('/bayeux', cometExpress(bayeux));
 * attachBayeuxWebSocket(app.listen(3000), bayeux); // ws://host:3000/bayeux
 * ```
 *
 * The socket rules are `@cometkit/ws`'s: the Origin checked before the upgrade (403), frame size
 * (default: the endpoint's `limits.maxBodyBytes`, 1009), frames per second (default 1,000, 1008),
 * buffered bytes (1013, the answer read again), ping/pong; `hub.close()` answers held connects and
 * closes each socket with 1012. One socket may not use up the hub's limits: it may have at most
 * `limits.maxSessionsPerSocket` live sessions and hold `limits.maxConnectsPerSocket` connects
 * (4 each by default; over them, a `429` Bayeux error).
 */
export function attachBayeuxWebSocket(server: Server, bayeux: BayeuxEndpoint, options: BayeuxWebSocketOptions = {}): AttachedBayeuxWebSocket {
  const { server: bayeuxServer, connectionTypes } = internalsOf(bayeux);
  const { hub, maxBodyBytes, maxBatch } = bayeux.options;
  const resolved = resolveWebSocketOptions(options, hub.options, { path: '/bayeux', maxPayload: maxBodyBytes, maxFramesPerSecond: FRAMES_PER_SECOND });
  const log = createLog('bayeux:ws', hub.options.logger);
  const keepRaw = hub.options.hasAuthorize || bayeux.options.extensions.length > 0;
  const door: SocketDoor = {
    server: bayeuxServer,
    engine: hub.engine,
    heartbeats: hub.engine.heartbeats(resolved.heartbeatMs),
    log: bayeuxServer.log,
    maxBatch,
    maxBufferedBytes: resolved.maxBufferedBytes,
  };
  const endpoint = createSocketEndpoint(server, hub, resolved.path, resolved.maxPayload, log, (req, socket, head, url) => {
    const request = new UpgradeRequest(req, url);
    endpoint.sockets.handleUpgrade(req, socket, head, (ws) => {
      // Only `authorize` and extensions read a request's `raw`: without them an open socket lets it go.
      request.opened(keepRaw);
      new BayeuxSocket(ws, new SocketGuard(ws, resolved, log), request, door).start();
    });
  });
  if (!connectionTypes.includes(WEBSOCKET)) connectionTypes.unshift(WEBSOCKET);
  return {
    get size() {
      return endpoint.size;
    },
    close() {
      const at = connectionTypes.indexOf(WEBSOCKET);
      if (at >= 0) connectionTypes.splice(at, 1);
      endpoint.close();
    },
  };
}
