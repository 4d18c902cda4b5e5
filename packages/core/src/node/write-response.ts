import type { ServerResponse } from 'node:http';
import { isStreamResponse, type CometResponse, type StreamSink } from '../neutral';

/** Compression middleware (compression, koa-compress) adds `flush()` so a stream is not held back. */
type FlushableResponse = ServerResponse & { flush?: () => void };

/**
 * Writes a neutral response to a Node response: the one place where a response becomes bytes.
 * Streams write through a {@link StreamSink} that flushes compression after every chunk and ends
 * cleanly when the client has gone.
 */
export function writeResponse(res: ServerResponse, response: CometResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.statusCode = response.status;
  for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
  if (!isStreamResponse(response)) {
    res.end(response.body);
    return;
  }
  const flushable = res as FlushableResponse;
  res.flushHeaders();
  const sink: StreamSink = {
    write(chunk) {
      if (res.writableEnded || res.destroyed) return false;
      const ok = res.write(chunk);
      flushable.flush?.();
      return ok;
    },
    bufferedBytes: () => res.writableLength + (res.socket?.writableLength ?? 0),
    end() {
      if (!res.writableEnded) res.end();
    },
  };
  response.start(sink);
}
