import type { ServerResponse } from 'node:http';
import { isStreamResponse, type CometResponse, type StreamSink } from '../neutral';

/** Compression middleware (compression, koa-compress) adds `flush()` so a stream is not held back. */
type FlushableResponse = ServerResponse & { flush?: () => void };



/**
 * Writes a neutral response to a Node response: the one place where a response becomes bytes.
 * Streams write through a {@link NodeStreamSink}.
 */
export function writeResponse(res: ServerResponse, response: CometResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = response.status;
  for (const name in response.headers) res.setHeader(name, response.headers[name]!);
  if (!isStreamResponse(response)) {
    res.end(response.body);
    return;
  }
  res.flushHeaders();
  response.start(new NodeStreamSink(res));
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

  end(drainTimeoutMs?: number): void {
    const { res } = this;
    if (res.writableEnded) return;
    res.end();
    if (drainTimeoutMs !== undefined && this.bufferedBytes() > 0) {
      const timer = setTimeout(() => res.destroy(), drainTimeoutMs).unref();
      res.once('close', () => clearTimeout(timer));
    }
  }
}
