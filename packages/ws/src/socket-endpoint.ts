import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CometError, CometHub } from '@cometkit/core';
import type { Log } from '@cometkit/core/kit';
import { WebSocketServer } from 'ws';
import { refuseUpgrade } from './refuse';
import { screenUpgrade } from './screen-upgrade';
import { routeUpgrade } from './upgrade-dispatcher';

/** One WebSocket endpoint of a hub on a server, as {@link createSocketEndpoint} builds it. */
export interface SocketEndpoint {
  /** The `ws` server (no server of its own) that completes this endpoint's handshakes. */
  readonly sockets: WebSocketServer;
  /** Open sockets now. */
  readonly size: number;
  /** Refuses an upgrade with the HTTP error every route answers, counted in the hub's errors. */
  refuse(socket: Duplex, error: CometError): void;
  /** Stops taking upgrades and destroys every socket at once. */
  close(): void;
}

/** What an endpoint does with an upgrade that passed the common checks. */
export type AcceptUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer, url: URL) => void;

/**
 * The part every WebSocket entry point on a hub shares: its route on the server's one upgrade
 * dispatcher, the checks made before anything of its own (shutdown, the Origin), refusals as
 * HTTP errors, and teardown. `accept` does the rest (admission, `sockets.handleUpgrade`).
 */
export function createSocketEndpoint(server: Server, hub: CometHub, path: string, maxPayload: number, log: Log, accept: AcceptUpgrade): SocketEndpoint {
  // perMessageDeflate stays off (the ws default): a zlib context per socket costs more memory
  // than the frames it would save.
  const sockets = new WebSocketServer({ noServer: true, maxPayload });
  let closed = false;
  const refuse = (socket: Duplex, error: CometError): void => {
    hub.engine.countError();
    log.debug('upgrade refused: %s', error.code);
    refuseUpgrade(socket, error);
  };
  const unroute = routeUpgrade(server, path, (req, socket, head, url) => {
    const screened = screenUpgrade(req, socket, hub.options, closed || hub.engine.closing, log);
    if (screened) return refuse(socket, screened);
    accept(req, socket, head, url);
  });
  return {
    sockets,
    refuse,
    get size() {
      return sockets.clients.size;
    },
    close() {
      if (closed) return;
      closed = true;
      unroute();
      for (const socket of sockets.clients) socket.terminate();
      sockets.close();
    },
  };
}
