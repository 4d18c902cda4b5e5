import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { cometError, type CometRequest } from '@cometkit/core';
import { ClientSignal, type ParsedBody } from '@cometkit/core/kit';

/** Upgrades have no route parameters: one frozen object shared by every socket. */
const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The neutral request behind one WebSocket, for `authorize`. Its signal aborts when the socket
 * closes, at any point: during the handshake, while `authorize` runs, or once open.
 *
 * `request.raw` is the upgrade's `IncomingMessage` (its cookies and headers are the socket's)
 * for as long as an `authorize` hook may ask for it: on a hub without one it is let go once the
 * socket is open ({@link UpgradeRequest.opened}), so an idle socket does not keep the parsed HTTP
 * request alive. Headers, path and query stay readable either way.
 */
export class UpgradeRequest implements CometRequest {
  readonly method = 'GET';
  readonly path: string;
  readonly params: Readonly<Record<string, string>> = NO_PARAMS;
  readonly signal = new ClientSignal();
  private rawRequest: IncomingMessage | undefined;
  private readonly headers: IncomingHttpHeaders;
  /** The query as text, parsed on first use: a parsed `URLSearchParams` keeps its whole `URL`. */
  private readonly search: string;
  private parsedQuery: URLSearchParams | undefined;

  constructor(raw: IncomingMessage, url: URL) {
    this.rawRequest = raw;
    this.headers = raw.headers;
    this.path = url.pathname;
    this.search = url.search;
    raw.socket.once('close', () => this.signal.abort());
  }

  /** The upgrade's `IncomingMessage`; undefined once let go (see the class). */
  get raw(): IncomingMessage | undefined {
    return this.rawRequest;
  }

  get query(): URLSearchParams {
    return (this.parsedQuery ??= new URLSearchParams(this.search));
  }

  /** The socket is open: lets the `IncomingMessage` go unless `keepRaw` (an `authorize` hook may read it). */
  opened(keepRaw: boolean): void {
    if (!keepRaw) this.rawRequest = undefined;
  }

  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  /** An upgrade has no body: what a client sends comes as frames. */
  body(): Promise<Buffer | ParsedBody> {
    return Promise.reject(cometError('bad_request', 'A WebSocket upgrade has no body.'));
  }
}
