import type { IncomingMessage } from 'node:http';
import { cometError, type CometRequest, type ParsedBody } from '@cometkit/core';

/**
 * The neutral request behind one WebSocket, for `authorize` (`request.raw` is the upgrade's
 * `IncomingMessage`: its cookies and headers are the socket's). Its signal aborts when the socket
 * closes, at any point: during the handshake, while `authorize` runs, or once open.
 */
export class UpgradeRequest implements CometRequest {
  readonly method = 'GET';
  readonly path: string;
  readonly query: URLSearchParams;
  readonly params: Readonly<Record<string, string>> = {};
  private readonly controller = new AbortController();
  readonly signal = this.controller.signal;

  constructor(
    readonly raw: IncomingMessage,
    url: URL,
  ) {
    this.path = url.pathname;
    this.query = url.searchParams;
    raw.socket.once('close', () => this.controller.abort());
  }

  header(name: string): string | undefined {
    const value = this.raw.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  /** An upgrade has no body: what a client sends comes as frames. */
  body(): Promise<Buffer | ParsedBody> {
    return Promise.reject(cometError('bad_request', 'A WebSocket upgrade has no body.'));
  }
}
