import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { isStreamResponse, type CometResponse, type StreamEndOptions, type StreamSink } from '../../neutral';

/** Compression middleware (compression, koa-compress) adds `flush()` so a stream is not held back. */
type FlushableResponse = ServerResponse & { flush?: () => void };

// The last frozen headers object answered with its Content-Length: the pollers answered one after
// another with one shared body (every poller at one position) share one object too. Node only
// reads it. Only frozen ones (the built-in transports' constants): an object that can still change
// might have changed since.
let lastHeaders: CometResponse['headers'] | undefined;
let lastLength = -1;
let lastWithLength: OutgoingHttpHeaders = {};

function withLength(headers: CometResponse['headers'], length: number): OutgoingHttpHeaders {
  if (headers === lastHeaders && length === lastLength) return lastWithLength;
  const copy: OutgoingHttpHeaders = { ...(headers as OutgoingHttpHeaders), 'content-length': length };
  if (Object.isFrozen(headers)) {
    lastWithLength = copy;
    lastHeaders = headers;
    lastLength = length;
  }
  return copy;
}

/**
 * How long a whole-body answer may wait for its client to take it when no hub says (the hub's
 * `streams.drainTimeoutMs` default).
 */
export const BODY_DRAIN_TIMEOUT_MS = 10_000;

/**
 * Writes a neutral response to a Node response: the one place where a response becomes bytes.
 * Streams write through a {@link NodeStreamSink}. A whole body the client has not taken within
 * `drainTimeoutMs` destroys the socket (see {@link freeIfNotTaken}).
 */
export function writeResponse(res: ServerResponse, response: CometResponse, drainTimeoutMs = BODY_DRAIN_TIMEOUT_MS): void {
  if (res.headersSent || res.destroyed) return;
  if (!isStreamResponse(response) && res.getHeaderNames().length === 0 && response.status !== 204 && response.status !== 304) {
    // The common answer (a poll, a publish): status line and headers written from one object,
    // with no per-header bookkeeping; its length too (after writeHead, Node would chunk the body).
    // Headers an app or middleware set first take the slow path below.
    const { body } = response;
    const length = typeof body === 'string' ? Buffer.byteLength(body) : body.length;
    res.writeHead(response.status, withLength(response.headers, length)).end(body);
    return freeIfNotTaken(res, drainTimeoutMs);
  }
  res.statusCode = response.status;
  for (const name in response.headers) res.setHeader(name, response.headers[name]!);
  if (!isStreamResponse(response)) {
    res.end(response.body);
    return freeIfNotTaken(res, drainTimeoutMs);
  }
  // No flushHeaders(): the stream's prelude, written at once by start(), carries the headers in
  // the same write (one syscall per new stream instead of two; it matters in reconnect storms).
  response.start(new NodeStreamSink(res));
}

/**
 * A body the kernel did not take at once (its client does not read, and the socket's buffers are
 * full) stays in the process until it does: a client that never reads would pin it, at will, for
 * as long as it keeps the connection. So the socket is destroyed if it is still there after
 * `drainTimeoutMs` (the client resumes from the last cursor it received: nothing is lost). Only
 * then is a timer armed: an answer taken at once (nearly every one) costs one length check, no
 * closure and no listener.
 */
function freeIfNotTaken(res: ServerResponse, drainTimeoutMs: number): void {
  if (res.writableFinished || (res.writableLength === 0 && (res.socket?.writableLength ?? 0) === 0)) return;
  const timer = setTimeout(destroyResponse, drainTimeoutMs, res).unref();
  // 'close' comes once the body is taken (after 'finish') or the socket is gone: either way, no cut.
  res.once('close', () => clearTimeout(timer));
}

function destroyResponse(res: ServerResponse): void {
  res.destroy();
}

/** A stream's writes to a socket: flushed through compression, stopped once the client is gone. */
class NodeStreamSink implements StreamSink {
  constructor(private readonly res: FlushableResponse) {}

  write(chunk: Buffer | string): boolean {
    const { res } = this;
    if (res.writableEnded || res.destroyed) return false;
    const ok = res.write(chunk);
    res.flush?.();
    return ok;
  }

  bufferedBytes(): number {
    return this.res.writableLength + (this.res.socket?.writableLength ?? 0);
  }

  drained(): Promise<void> | undefined {
    const { res } = this;
    if (!res.writableNeedDrain || res.destroyed) return undefined;
    return new Promise((resolve) => {
      const done = (): void => {
        res.off('drain', done);
        res.off('close', done);
        resolve();
      };
      res.on('drain', done);
      res.on('close', done);
    });
  }

  end(options: StreamEndOptions = {}): void {
    const { res } = this;
    if (res.writableEnded) return;
    res.end();
    // The response was chunked and kept alive: only ending the socket closes the connection
    // (taken now: once finished, Node detaches it from the response for the next request).
    const socket = res.socket;
    if (options.close && socket) res.once('finish', () => socket.end());
    if (options.drainTimeoutMs !== undefined && this.bufferedBytes() > 0) {
      const timer = setTimeout(() => res.destroy(), options.drainTimeoutMs).unref();
      res.once('close', () => clearTimeout(timer));
    }
  }
}
