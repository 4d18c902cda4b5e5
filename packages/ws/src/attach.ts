import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { cometError, isCometError, type CometHub } from '@cometkit/core';
import { admitStream, createLog, readChannels, readCursor, type EndRules } from '@cometkit/core/kit';
import { resolveWebSocketOptions, type WebSocketOptions } from './options';
import { SocketDoor, type SocketEndpointParts } from './socket-door';
import { createSocketEndpoint } from './socket-endpoint';
import { compactFraming, objectFraming } from './socket-framing';
import { UpgradeRequest } from './upgrade-request';

/** What {@link attachWebSocket} returns. */
export interface AttachedWebSocket {
  /** Open sockets now. */
  readonly size: number;
  /**
   * Stops taking upgrades and destroys every socket at once. `hub.close()` is the graceful way
   * (each socket gets its `end` frame and close code 1012); this is for tearing down afterwards.
   */
  close(): void;
}

/**
 * Serves the hub over WebSocket on `server`'s `upgrade` event, at `options.path` (default
 * `/comet/ws`), as transport `ws`: one line for an Express, Koa or `withComet` server alike.
 *
 * ```ts
 * const server = app.listen(3000);       // Express or Koa; or http.createServer(withComet(hub, '/comet', app))
 * attachWebSocket(server, hub);          // ws://host:3000/comet/ws?channel=chat/*&cursor=… (the hub has rules)
 * ```
 *
 * Before upgrading, it checks the path, the kit's request screen (host, `Origin`), the channels and
 * cursor of the query, and admission (shutdown, the connection limit, `authenticate`, the rules,
 * `authorize('subscribe')`); a refusal is the HTTP error every route answers. The upgrade does not
 * pass through the framework's middleware, so the hub's hooks are what guard it: on a hub with
 * none, it refuses to start unless `public: true` says every channel is meant for anyone. Upgrades on other
 * paths go to the other cometkit endpoints attached to `server` (one `upgrade` listener routes
 * them all), else to the server's other `upgrade` listeners, else are answered 404.
 */
export function attachWebSocket(server: Server, hub: CometHub, options: WebSocketOptions = {}): AttachedWebSocket {
  if (!hub.options.hasAuthorize && options.public !== true) {
    throw new TypeError(
      'cometkit: attachWebSocket on a hub with no authenticate, rules or authorize would let anyone subscribe to anything ' +
        '(the upgrade skips your middleware). Give the hub rules, or pass { public: true } if every channel is public.',
    );
  }
  const resolved = resolveWebSocketOptions(options, hub.options);
  const log = createLog('ws', hub.options.logger);
  const endpoint = createSocketEndpoint(server, hub, resolved.path, resolved.maxPayload, log, onUpgrade);
  const parts: SocketEndpointParts = { hub, options: resolved, log, sockets: endpoint.sockets, refuse: endpoint.refuse };
  // A socket's stream has no byte budget (a socket keeps no text), and holds no one-batch answer.
  const rules: EndRules = { holdMs: 0, byteBudget: Infinity, maxAgeMs: resolved.maxAgeMs, heartbeatMs: resolved.heartbeatMs };

  function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void {
    const { refuse } = endpoint;
    const channels = readChannels(url.searchParams, hub.options.maxChannels);
    if (isCometError(channels)) return refuse(socket, channels);
    const cursor = readCursor(url.searchParams.get('cursor'));
    if (isCometError(cursor)) return refuse(socket, cursor);
    const asked = url.searchParams.getAll('frames');
    const frames = asked[0];
    if (asked.length > 1 || (frames !== undefined && frames !== 'compact' && frames !== 'objects')) {
      return refuse(socket, cometError('bad_request', 'frames must be given once, as compact or objects.'));
    }
    const request = new UpgradeRequest(req, url);
    admitStream(
      {
        engine: hub.engine,
        request,
        push: { channels, cursor: cursor.cursor, sentCursor: cursor.sent },
        rules,
        limits: resolved,
      },
      frames === 'compact' ? compactFraming : objectFraming,
      new SocketDoor(parts, request, req, socket, head),
    );
  }

  return {
    get size() {
      return endpoint.size;
    },
    close: () => endpoint.close(),
  };
}
