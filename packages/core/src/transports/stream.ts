import type { GapReason, LogEntry } from '../broker';
import type { CometHeaders, CometRequest, CometStreamResponse, StreamSink } from '../neutral';
import { formatCursor } from '../cursor';
import type { Batch, EndReason } from '../subscriber';
import type { TransportContext } from '../transport';

/** Headers every stream sends so proxies, nginx and compression pass bytes on at once. */
export const STREAM_HEADERS: CometHeaders = {
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
};

/** A streaming transport's wire format: the only thing each streaming transport file defines. */
export interface StreamFraming {
  /** Transport name; also the key of its per-message frame cache. */
  readonly name: string;
  readonly headers: CometHeaders;
  /** Written first, before history (padding, a retry hint, an HTML head). */
  prelude(request: CometRequest): string;
  /** One message. Called once per message and transport, whatever the number of subscribers. */
  message(entry: LogEntry): string;
  /** History has been sent; the stream stands at `cursor`. */
  open(cursor: string): string;
  /** Messages were lost before what follows; `cursor` is just before the first message still held. */
  gap(reason: GapReason, from: string, cursor: string): string;
  heartbeat(): string;
  /** The server ends the stream; the client resumes from `cursor`. */
  end(reason: EndReason, cursor: string): string;
}

/**
 * The streaming rule shared by SSE, XHR streaming and the forever iframe: write the prelude, the
 * history after the cursor, `open`, then live messages; a heartbeat when idle; end after the byte
 * budget or the maximum age, on shutdown, or when the client reads too slowly (it resumes by cursor).
 */
export function openStream({ request, push, hub }: TransportContext, framing: StreamFraming): CometStreamResponse {
  const { options } = hub;
  return {
    status: 200,
    headers: { ...STREAM_HEADERS, ...framing.headers },
    start(sink: StreamSink) {
      let written = 0;
      let lastWrite = Date.now();
      let ended = false;
      const write = (chunk: string | Buffer): void => {
        written += chunk.length;
        lastWrite = Date.now();
        sink.write(chunk);
      };
      const finish = (reason: EndReason | undefined, cursor?: string): void => {
        if (ended) return;
        ended = true;
        stopHeartbeat();
        request.signal.removeEventListener('abort', onAbort);
        if (reason && reason !== 'error') write(framing.end(reason, cursor ?? hub.cursorOf(subscriber)));
        hub.release(subscriber);
        sink.end();
      };
      write(framing.prelude(request));
      const subscriber = hub.subscribe(
        framing.name,
        push,
        {
          batch(batch) {
            if (batch.gap) write(framing.gap(batch.gap.reason, batch.gap.from, cursorBefore(batch)));
            for (const entry of batch.entries) {
              write(frameOf(entry, framing));
              // The budget holds mid-batch too: the rest comes on the next request, from this cursor.
              if (written >= options.byteBudget) return finish('budget', entry.cursor);
            }
            if (sink.bufferedBytes() > options.maxBufferedBytes) {
              hub.stats.slowClientCutoffs++;
              finish('slow');
            }
          },
          live() {
            if (!ended) write(framing.open(subscriber.cursor));
          },
          end: finish,
        },
        request.signal,
        { ms: options.streamMaxAgeMs, reason: 'age' },
        true,
      );
      const stopHeartbeat = hub.onHeartbeatTick((now) => {
        if (now - lastWrite >= options.heartbeatMs) write(framing.heartbeat());
      });
      const onAbort = (): void => finish(undefined);
      request.signal.addEventListener('abort', onAbort, { once: true });
    },
  };
}

/** The message's frame for this transport, made once and shared by every subscriber. */
function frameOf(entry: LogEntry, framing: StreamFraming): Buffer {
  let frame = entry.frames.get(framing.name);
  if (!frame) {
    frame = Buffer.from(framing.message(entry));
    entry.frames.set(framing.name, frame);
  }
  return frame;
}

/** The cursor just before a batch's first message: resuming from it loses none of the batch. */
function cursorBefore(batch: Batch): string {
  const first = batch.entries[0];
  return first ? formatCursor({ epoch: first.epoch, position: first.position - 1 }) : batch.cursor;
}
