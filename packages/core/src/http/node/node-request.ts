import type { IncomingMessage } from 'node:http';
import { cometError, isCometError } from '../../errors';
import type { CometRequest, ParsedBody } from '../../neutral';
import { ClientSignal } from './client-signal';
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
  /**
   * Called once the answer is ready and about to be written (not when the handler rejects): Koa
   * hands the response over here (`ctx.respond = false`), so an error before it still reaches the
   * app's error middleware.
   */
  beforeWrite?: () => void;
  /**
   * Where a bug (the handler rejected, or writing the answer threw) goes instead of rejecting the
   * promise {@link handleNode} returns: Express's `next`, `withComet`'s 500.
   */
  onError?: (error: unknown) => void;
  /**
   * How long a whole-body answer may wait for the client to take it before the socket is
   * destroyed (the hub's `streams.drainTimeoutMs`). Default 10,000 ms.
   */
  drainTimeoutMs?: number;
}

const NO_PARAMS: Readonly<Record<string, string>> = Object.freeze({});

/**
 * The neutral request over a Node request. Held requests can number in the tens of thousands, so
 * it keeps only what it needs: methods on the prototype, the query as text.
 */
export class NodeCometRequest implements CometRequest {
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly signal = new ClientSignal();
  readonly raw: unknown;
  private readonly search: string;
  private readonly parsedBody: unknown;
  private bodyRead: Promise<Buffer | ParsedBody> | undefined;
  /** True once the body was refused unread (too large): the connection cannot be reused. */
  bodyRefused = false;

  constructor(
    private readonly req: IncomingMessage,
    info: NodeRequestInfo,
  ) {
    const url = info.url || '/';
    const at = url.indexOf('?');
    this.method = (req.method ?? 'GET').toUpperCase();
    this.path = at < 0 ? url : url.slice(0, at);
    this.search = at < 0 ? '' : url.slice(at + 1);
    this.params = info.params ?? NO_PARAMS;
    this.parsedBody = info.parsedBody;
    this.raw = info.raw;
  }

  get query(): URLSearchParams {
    return new URLSearchParams(this.search);
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name.toLowerCase()];
    return Array.isArray(value) ? value[0] : value;
  }

  body(maxBytes: number): Promise<Buffer | ParsedBody> {
    this.bodyRead ??= alreadyRead(this.req)
      ? Promise.resolve({ parsed: this.parsedBody })
      : readBody(this.req, maxBytes).catch((error: unknown) => {
          if (isCometError(error) && error.code === 'body_too_large') this.bodyRefused = true;
          throw error;
        });
    return this.bodyRead;
  }

  releaseBody(): void {
    if (this.bodyRead) this.bodyRead = RELEASED;
  }
}

/** What `body()` gives once the body was let go: one shared promise, its rejection handled. */
const RELEASED: Promise<never> = Promise.reject(cometError('bad_request', 'The request body was already read and released.'));
RELEASED.catch(() => {});

// body-parser (express.json) marks what it parsed with `_body`; koa-bodyparser leaves the stream ended.
function alreadyRead(req: IncomingMessage): boolean {
  return req.readableEnded || (req as { _body?: unknown })._body === true;
}
