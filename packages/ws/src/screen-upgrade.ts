import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { cometError, type CometError, type ResolvedOptions } from '@cometkit/core';
import { screenRequest, type Log } from '@cometkit/core/kit';

/**
 * The checks every cometkit WebSocket endpoint makes before anything of its own: shutdown
 * (`closing`, 503) and the kit's request screen for opening a socket (its `Origin` must be the
 * server's own host or a CORS-allowed origin, else 403: browsers send cookies with a WebSocket
 * from any page and the handshake has no preflight, so without it any site could open a socket as
 * the user). Also listens for errors on the raw socket: a client that leaves mid-handshake is
 * normal, not a crash. Returns the refusal, or undefined to go on.
 */
export function screenUpgrade(req: IncomingMessage, socket: Duplex, hub: ResolvedOptions, closing: boolean, log: Log): CometError | undefined {
  socket.on('error', (error) => log.debug('upgrade socket error: %s', error.message));
  if (closing) return cometError('closing', 'The server is shutting down; try again.');
  return screenRequest({ header: (name) => headerOf(req, name) }, hub, 'open-socket');
}

function headerOf(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
