import type { GapReason, LogEntry } from '../log/broker';
import { cachedFrame, cursorBefore, joinedFrames } from './frames';
import type { Engine } from '../engine/engine';
import type { Batch, EndReason, Subscriber, SubscriberHandlers } from '../engine/subscriber';
import type { CometError } from '../errors';
import { admit, type AdmissionDoor } from './admit';
import type { HeartbeatSet, HeartbeatTarget } from '../engine/heartbeat-timer';
import type { CometHeaders, CometRequest, CometResponse, CometStreamResponse, StreamSink } from '../neutral';
import type { PushRequest } from './push-request';
import { errorResponse } from '../responses';
import type { EndRules } from './end-rules';

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

/** What {@link streamFrom} needs beyond the framing. */
export interface StreamOpen {
  readonly engine: Engine;
  readonly request: CometRequest;
  readonly push: PushRequest;
  readonly rules: EndRules;
  /** Written first, before history (padding, a retry hint, an HTML head). */
  readonly prelude: string;
  /** How a refusal is answered (before any byte is sent). Default: the JSON error body. */
  readonly error?: (error: CometError) => CometResponse;
}

/**
 * The streaming rule shared by SSE, XHR streaming and the forever iframe: once admitted, write
 * the prelude, the history after the cursor (paced by the socket), `open`, then live messages; a
 * heartbeat when idle; end after the byte budget or the maximum age, on shutdown, or when the
 * client reads too slowly (it resumes by cursor).
 */
export function streamFrom(open: StreamOpen, framing: StreamFraming): CometResponse | Promise<CometResponse> {
  const writer = new StreamWriter(open, framing);
  return admit(
    open.engine,
    {
      transport: framing.name,
      channels: open.push.channels,
      cursor: open.push.cursor,
      sentCursor: open.push.sentCursor,
      request: open.request,
      signal: open.request.signal,
      handlers: writer,
      lifetime: { ms: open.rules.maxAgeMs, reason: 'age' },
      deferRead: true,
    },
    writer,
  );
}

/** One open stream. A class, not closures: tens of thousands may be open at once. */
class StreamWriter implements CometStreamResponse, SubscriberHandlers, HeartbeatTarget, AdmissionDoor<CometResponse> {
  readonly status = 200;
  readonly headers: CometHeaders;
  private sink: StreamSink | undefined;
  private subscriber!: Subscriber;
  private written = 0;
  private lastWrite = 0;
  /** An end that came before the response started (shutdown right after admission). */
  private earlyEnd: { reason: EndReason; cursor: string } | undefined;

  private readonly heartbeats: HeartbeatSet;

  constructor(
    private readonly options: StreamOpen,
    private readonly framing: StreamFraming,
  ) {
    this.headers = framing.headers;
    this.heartbeats = options.engine.heartbeats(options.rules.heartbeatMs);
  }

  admitted(subscriber: Subscriber): CometResponse {
    this.subscriber = subscriber;
    return this;
  }

  /** Refused before any byte was sent: the door's error answer. */
  refused(error: CometError): CometResponse {
    return (this.options.error ?? errorResponse)(error);
  }

  /** `authorize` threw: a bug of the app's, handed to the framework's error handling. */
  failed(bug: unknown): Promise<CometResponse> {
    return Promise.reject(bug);
  }

  start(sink: StreamSink): void {
    this.sink = sink;
    this.write(this.options.prelude);
    if (this.earlyEnd) return this.end(this.earlyEnd.reason, this.earlyEnd.cursor);
    this.heartbeats.add(this);
    this.subscriber.begin();
  }

  batch(batch: Batch): void {
    const { framing, options } = this;
    const budget = options.rules.byteBudget;
    // A backlog left from earlier writes means a client that does not read; a backlog this
    // batch makes is not (a fast reader takes it at once). History is paced, never cut.
    if (this.subscriber.isLive && this.sink!.bufferedBytes() > options.engine.options.maxBufferedBytes) {
      // This batch is not written: the client resumes from before it (before its gap, if any).
      return this.subscriber.end('slow', batch.gap ? batch.gap.from : cursorBefore(batch));
    }
    if (batch.gap) this.write(framing.gap(batch.gap.reason, batch.gap.from, cursorBefore(batch)));
    const joined = batch.entries.length > 1 ? joinedFrames(batch, framing.name, framing.message) : undefined;
    if (joined && this.written + joined.length < budget) {
      this.write(joined); // one write, one chunk, shared by every stream at this position
      return;
    }
    for (const entry of batch.entries) {
      this.write(frameOf(entry, framing));
      // The budget holds mid-batch too: the rest comes on the next request, from this cursor.
      if (this.written >= budget) return this.subscriber.end('budget', entry.cursor);
    }
  }

  pace(): Promise<void> | undefined {
    return this.sink?.drained();
  }

  live(cursor: string): void {
    this.write(this.framing.open(cursor, this.options.rules.heartbeatMs));
  }

  end(reason: EndReason, cursor: string): void {
    const { sink } = this;
    if (!sink) {
      this.earlyEnd = { reason, cursor };
      return;
    }
    this.heartbeats.delete(this);
    if (reason !== 'gone' && reason !== 'error') this.write(this.framing.end(reason, cursor));
    sink.end({ drainTimeoutMs: this.options.engine.options.drainTimeoutMs, close: reason === 'closing' });
  }

  heartbeat(now: number): void {
    if (now - this.lastWrite >= this.heartbeats.idleMs) this.write(this.framing.heartbeat());
  }

  private write(chunk: string | Buffer): void {
    this.written += chunk.length;
    this.lastWrite = Date.now();
    this.sink!.write(chunk);
  }
}

/** The message's frame for this transport, made once and shared by every subscriber. */
function frameOf(entry: LogEntry, framing: StreamFraming): Buffer {
  return cachedFrame(entry, framing.name, framing.message);
}
