import type { GapReason, LogEntry } from '../broker';
import { formatCursor } from '../cursor';
import type { HeartbeatTarget, HubInternals } from '../hub-internals';
import type { CometHeaders, CometRequest, CometStreamResponse, StreamSink } from '../neutral';
import type { ResolvedOptions } from '../options';
import type { PushRequest } from '../push-request';
import type { Batch, EndReason, Subscriber, SubscriberHandlers } from '../subscriber';
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
  /** Response headers, {@link STREAM_HEADERS} included. */
  readonly headers: CometHeaders;
  /** Written first, before history (padding, a retry hint, an HTML head). */
  prelude(request: CometRequest, options: ResolvedOptions): string;
  /** One message. Called once per message and transport, whatever the number of subscribers. */
  message(entry: LogEntry): string;
  /** History has been sent; the stream stands at `cursor` and heartbeats come every `heartbeatMs`. */
  open(cursor: string, heartbeatMs: number): string;
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
  return new StreamWriter(request, push, hub, framing);
}

/** One open stream. A class, not closures: tens of thousands may be open at once. */
class StreamWriter implements CometStreamResponse, SubscriberHandlers, HeartbeatTarget {
  readonly status = 200;
  readonly headers: CometHeaders;
  private sink!: StreamSink;
  private subscriber!: Subscriber;
  private written = 0;
  private lastWrite = 0;
  private ended = false;

  constructor(
    private readonly request: CometRequest,
    private readonly push: PushRequest,
    private readonly hub: HubInternals,
    private readonly framing: StreamFraming,
  ) {
    this.headers = framing.headers;
  }

  start(sink: StreamSink): void {
    const { hub, framing } = this;
    this.sink = sink;
    this.write(framing.prelude(this.request, hub.options));
    const lifetime = { ms: hub.options.streamMaxAgeMs, reason: 'age' } as const;
    this.subscriber = hub.subscribe(framing.name, this.push, this, this.request.signal, lifetime, true);
    hub.heartbeats.add(this);
  }

  batch(batch: Batch): void {
    const { framing, hub } = this;
    if (batch.gap) this.write(framing.gap(batch.gap.reason, batch.gap.from, cursorBefore(batch)));
    for (const entry of batch.entries) {
      this.write(frameOf(entry, framing));
      // The budget holds mid-batch too: the rest comes on the next request, from this cursor.
      if (this.written >= hub.options.byteBudget) return this.finish('budget', entry.cursor);
    }
    if (this.sink.bufferedBytes() > hub.options.maxBufferedBytes) {
      hub.stats.slowClientCutoffs++;
      this.finish('slow');
    }
  }

  live(): void {
    if (!this.ended) this.write(this.framing.open(this.subscriber.cursor, this.hub.options.heartbeatMs));
  }

  end(reason: EndReason): void {
    this.finish(reason);
  }

  heartbeat(now: number): void {
    if (now - this.lastWrite >= this.hub.options.heartbeatMs) this.write(this.framing.heartbeat());
  }

  private write(chunk: string | Buffer): void {
    this.written += chunk.length;
    this.lastWrite = Date.now();
    this.sink.write(chunk);
  }

  private finish(reason: EndReason, cursor?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.hub.heartbeats.delete(this);
    if (reason !== 'gone' && reason !== 'error') {
      this.write(this.framing.end(reason, cursor ?? this.hub.cursorOf(this.subscriber)));
    }
    this.hub.release(this.subscriber);
    this.sink.end(this.hub.options.drainTimeoutMs);
  }
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
