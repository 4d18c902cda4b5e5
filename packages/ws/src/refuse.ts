import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { CometError } from '@cometkit/core';

/**
 * Answers an upgrade that is refused before any WebSocket exists, as every HTTP route does: the
 * error's status and its JSON body (`Retry-After` on a 503), then the connection is closed.
 */
export function refuseUpgrade(socket: Duplex, error: CometError): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(error.toBody());
  const retry = error.status === 503 ? 'Retry-After: 2\r\n' : '';
  socket.end(
    `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      retry +
      'Connection: close\r\n\r\n' +
      body,
  );
}
