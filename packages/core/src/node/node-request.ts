import type { IncomingMessage } from 'node:http';
import type { CometRequest, ParsedBody } from '../neutral';
import { readBody } from './read-body';

/** What an adapter knows about a Node request beyond the request itself. */
export interface NodeRequestInfo {
  /** Path and query below the mount point (Express `req.url` inside `app.use`, Koa minus prefix). */
  url: string;
  /** Route parameters of a per-route endpoint. */
  params?: Record<string, string>;
  /** A body an upstream parser already read; `undefined` when none did. */
  parsedBody?: unknown;
  /** The framework's request object, handed to user hooks. */
  raw: unknown;
}

// body-parser (express.json) marks what it parsed with `_body`; koa-bodyparser leaves the stream ended.
function alreadyRead(req: IncomingMessage): boolean {
  return req.readableEnded || (req as { _body?: unknown })._body === true;
}

/** Builds the neutral request for a Node request. */
export function toCometRequest(req: IncomingMessage, info: NodeRequestInfo, signal: AbortSignal): CometRequest {
  const url = new URL(info.url || '/', 'http://cometkit.invalid');
  let bodyRead: Promise<Buffer | ParsedBody> | undefined;
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    params: info.params ?? {},
    header(name) {
      const value = req.headers[name.toLowerCase()];
      return Array.isArray(value) ? value[0] : value;
    },
    body(maxBytes) {
      bodyRead ??= alreadyRead(req) ? Promise.resolve({ parsed: info.parsedBody }) : readBody(req, maxBytes);
      return bodyRead;
    },
    signal,
    raw: info.raw,
  };
}
