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

/**
 * A stream's wire format: the only thing each streaming transport file defines. Each frame is
 * text or bytes, whichever the sink takes (the WebSocket framing makes a message a whole
 * WebSocket frame, header included, so that its sink writes it as it is).
 */
export interface StreamFraming {
  /** Transport name; also the key of its per-message frame cache. */
  readonly name: string;
  /** Response headers, {@link STREAM_HEADERS} included. */
  readonly headers: CometHeaders;
  /** One message. Called once per message and transport, whatever the number of subscribers. */
  message(entry: LogEntry): string | Buffer;
  /**
   * Optional: a batch's messages as one chunk, sent in place of each message's own frame; or
   * undefined, to send each message's frame. Called for every batch with messages, once per
   * stream: it must be cheap the second time, building the chunk once per batch through the
   * kit's caches ({@link sharedBatchFrame}, {@link joinedFrames}, {@link cachedFrame}), so that
   * every stream at the batch's position sends the same bytes. Without it, several messages go
   * as their frames one after another ({@link joinedFrames}), a lone message as its own frame.
   */
  batch?(batch: Batch): Buffer | undefined;
  /** History has been sent; the stream stands at `cursor` and heartbeats come every `heartbeatMs`. */
  open(cursor: string, heartbeatMs: number): string | Buffer;
  /** Messages were lost before what follows; `cursor` is just before the first message still held. */
  gap(reason: GapReason, from: string, cursor: string): string | Buffer;
  heartbeat(): string | Buffer;
  /** The server ends the stream; the client resumes from `cursor`. */
  end(reason: EndReason, cursor: string): string | Buffer;
}

/** What {@link streamFrom} and {@link admitStream} need beyond the framing. */
export interface StreamOpen {
  readonly engine: Engine;
  readonly request: CometRequest;
  readonly push: PushRequest;
  readonly rules: EndRules;
  /** Written first, before history (padding, a retry hint, an HTML head); nothing when undefined. */
  readonly prelude?: string;
  /** How a refusal is answered (before any byte is sent) by {@link streamFrom}. Default: the JSON error body. */
  readonly error?: (error: CometError) => CometResponse;
  /** The slow-client cut-off and the drain time, when the door sets its own. Default: the engine's options. */
  readonly limits?: StreamLimits;
}

/** A stream's buffer limits (the engine's options have both). One object per door, shared by its streams. */
export interface StreamLimits {
  /**
   * Bytes still buffered in the sink when a live batch comes, past which the client is cut off as
   * too slow (`slow`; it resumes by cursor).
   */
  readonly maxBufferedBytes: number;
  /** How long the last bytes may take to drain once the stream ends (see `StreamEndOptions`). */
  readonly drainTimeoutMs: number;
}

/**
 * An admitted stream, not started yet: what {@link admitStream} hands its door. The door starts
 * it on a sink once it has one (`start`).
 */
export interface AdmittedStream extends CometStreamResponse {
  /** The admitted subscriber: a door whose client changes its channels while open (WebSocket frames) reaches it here. */
  readonly subscriber: Subscriber;
  /**
   * Writes a chunk of the door's own between the stream's frames (a WebSocket's answer to a
   * client's frame), once started. It counts as the stream speaking (the next heartbeat waits)
   * and toward its byte budget.
   */
  write(chunk: string | Buffer): void;
}

/** What a door does with a stream's admission: {@link AdmissionDoor}, handed the stream rather than its subscriber. */
export interface StreamDoor<T> extends Omit<AdmissionDoor<T>, 'admitted'> {
  /** Admitted: the door starts `stream` on its sink when it has one. */
  admitted(stream: AdmittedStream): T;
}

/** The door of a stream that is an HTTP response: the stream itself, or the error's answer. */
const RESPONSE_DOOR: StreamDoor<CometResponse> = {
  admitted: (stream) => stream,
  refused: (error) => errorResponse(error),
  // `authorize` threw: a bug of the app's, handed to the framework's error handling.
  failed: (bug) => Promise.reject(bug),
};

/**
 * The streaming rule shared by SSE, XHR streaming and the forever iframe: once admitted, write
 * the prelude, the history after the cursor (paced by the socket), `open`, then live messages; a
 * heartbeat when idle; end after the byte budget or the maximum age, on shutdown, or when the
 * client reads too slowly (it resumes by cursor). Answers the stream as an HTTP response, or the
 * refusal's error answer.
 */
export function streamFrom(open: StreamOpen, framing: StreamFraming): CometResponse | Promise<CometResponse> {
  return admitStream(open, framing, open.error ? { ...RESPONSE_DOOR, refused: open.error } : RESPONSE_DOOR);
}

/**
 * {@link streamFrom}'s rule for a door whose stream is not an HTTP response (a WebSocket): the
 * door is told the admission's outcome, and starts the admitted stream on a sink of its own.
 */
export function admitStream<T>(open: StreamOpen, framing: StreamFraming, door: StreamDoor<T>): T | Promise<T> {
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
    new Admission(writer, door),
  );
}

/** Hands an admission's outcome to a stream door: kept only until the engine decides. */
class Admission<T> implements AdmissionDoor<T> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly door: StreamDoor<T>,
  ) {}

  admitted(subscriber: Subscriber): T {
    return this.door.admitted(this.writer.admitted(subscriber));
  }

  refused(error: CometError): T {
    return this.door.refused(error);
  }

  failed(bug: unknown): T | Promise<T> {
    return this.door.failed(bug);
  }
}

/**
 * One open stream. A class, not closures: tens of thousands may be open at once. It keeps only
 * what it reads after admission, objects shared by every stream of its door but for the prelude
 * (let go once written), not the {@link StreamOpen} it was made from.
 */
class StreamWriter implements AdmittedStream, SubscriberHandlers, HeartbeatTarget {
  private sink: StreamSink | undefined;
  private admittedSubscriber!: Subscriber;
  private written = 0;
  private lastWrite = 0;
  /** An end that came before the stream started (shutdown right after admission). */
  private earlyEnd: { reason: EndReason; cursor: string } | undefined;
  private prelude: string | undefined;
  private readonly rules: EndRules;
  private readonly limits: StreamLimits;
  private readonly heartbeats: HeartbeatSet;

  constructor(
    open: StreamOpen,
    private readonly framing: StreamFraming,
  ) {
    this.prelude = open.prelude;
    this.rules = open.rules;
    this.limits = open.limits ?? open.engine.options;
    this.heartbeats = open.engine.heartbeats(open.rules.heartbeatMs);
  }

  get status(): number {
    return 200;
  }

  get headers(): CometHeaders {
    return this.framing.headers;
  }

  get subscriber(): Subscriber {
    return this.admittedSubscriber;
  }

  admitted(subscriber: Subscriber): this {
    this.admittedSubscriber = subscriber;
    return this;
  }

  start(sink: StreamSink): void {
    this.sink = sink;
    this.lastWrite = Date.now();
    const { prelude } = this;
    this.prelude = undefined;
    if (prelude !== undefined) this.write(prelude);
    if (this.earlyEnd) return this.end(this.earlyEnd.reason, this.earlyEnd.cursor);
    this.heartbeats.add(this);
    this.admittedSubscriber.begin();
  }

  batch(batch: Batch): void {
    const { framing } = this;
    const subscriber = this.admittedSubscriber;
    const budget = this.rules.byteBudget;
    // A backlog left from earlier writes means a client that does not read; a backlog this
    // batch makes is not (a fast reader takes it at once). History is paced, never cut.
    if (subscriber.isLive && this.sink!.bufferedBytes() > this.limits.maxBufferedBytes) {
      // This batch is not written: the client resumes from before it (before its gap, if any).
      return subscriber.end('slow', batch.gap ? batch.gap.from : cursorBefore(batch));
    }
    if (batch.gap) this.write(framing.gap(batch.gap.reason, batch.gap.from, cursorBefore(batch)));
    const { entries } = batch;
    if (entries.length === 0) return;
    const whole = framing.batch ? framing.batch(batch) : entries.length > 1 ? joinedFrames(batch, framing.name, framing.message) : undefined;
    if (whole && this.written + whole.length < budget) {
      this.write(whole); // one write, one chunk, shared by every stream at this position
      return;
    }
    for (const entry of entries) {
      this.write(frameOf(entry, framing));
      // The budget holds mid-batch too: the rest comes on the next request, from this cursor.
      if (this.written >= budget) return subscriber.end('budget', entry.cursor);
    }
  }

  pace(): Promise<void> | undefined {
    return this.sink?.drained();
  }

  live(cursor: string): void {
    this.write(this.framing.open(cursor, this.rules.heartbeatMs));
  }

  end(reason: EndReason, cursor: string): void {
    const { sink } = this;
    if (!sink) {
      this.earlyEnd = { reason, cursor };
      return;
    }
    this.heartbeats.delete(this);
    if (reason !== 'gone' && reason !== 'error') this.write(this.framing.end(reason, cursor));
    sink.end({ drainTimeoutMs: this.limits.drainTimeoutMs, close: reason === 'closing', reason });
  }

  heartbeat(now: number): void {
    const sink = this.sink!;
    if (sink.alive && !sink.alive(now)) return;
    if (now - this.lastWrite >= this.heartbeats.idleMs) this.write(this.framing.heartbeat());
  }

  write(chunk: string | Buffer): void {
    this.written += chunk.length;
    this.lastWrite = Date.now();
    this.sink!.write(chunk);
  }
}

/** The message's frame for this transport, made once and shared by every subscriber. */
function frameOf(entry: LogEntry, framing: StreamFraming): Buffer {
  return cachedFrame(entry, framing.name, framing.message);
}
