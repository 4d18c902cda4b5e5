import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { cometError, type CometError, type ResolvedOptions } from '@cometkit/core';
import { type Log } from '@cometkit/core/kit';
import { originAllowed } from './origin';

/**
 * The checks every cometkit WebSocket endpoint makes before anything of its own: shutdown
 * (`closing`, 503) and the `Origin` (403, see {@link originAllowed}). Also listens for errors on
 * the raw socket: a client that leaves mid-handshake is normal, not a crash. Returns the refusal,
 * or undefined to go on.
 */
export function screenUpgrade(req: IncomingMessage, socket: Duplex, hub: ResolvedOptions, closing: boolean, log: Log): CometError | undefined {
  socket.on('error', (error) => log.debug('upgrade socket error: %s', error.message));
  if (closing) return cometError('closing', 'The server is shutting down; try again.');
  if (!originAllowed(req, hub)) return cometError('forbidden', 'This origin may not open a WebSocket here.');
  return undefined;
}
