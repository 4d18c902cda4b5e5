import type { Broker, LogEntry, ReadResult } from '../../src/log/broker';
import { parseChannel, type ParsedChannel } from '../../src/log/channel';
import { createEngine, type Engine } from '../../src/engine/engine';
import type { Batch, EndReason, SubscriberHandlers } from '../../src/engine/subscriber';
import { isCometError } from '../../src/errors';
import { createComet, type CometHub } from '../../src/hub';
import { createMemoryBroker } from '../../src/log/memory-broker';
import {
  isStreamResponse,
  type AbortSignalLike,
  type CometBodyResponse,
  type CometRequest,
  type CometResponse,
  type ParsedBody,
  type StreamEndOptions,
  type StreamSink,
} from '../../src/neutral';
import { resolveOptions, type CometOptions } from '../../src/options';

/**
 * The fast tier's fakes: neutral requests, a stream sink that records what is written and when,
 * recording subscriber handlers, gates, and brokers that misbehave on purpose. No sockets.
 */

/** One macrotask turn (a real `setImmediate`: the fake timers leave it alone), draining microtasks. */
export const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Several turns: enough for a history read, a flush and a response to settle. */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await turn();
}

/** A promise the test resolves when it chooses: the event a test waits for, never a sleep. */
export interface Gate<T = void> {
  readonly promise: Promise<T>;
  open(value: T): void;
  fail(error: unknown): void;
}

export function gate<T = void>(): Gate<T> {
  let open!: (value: T) => void;
  let fail!: (error: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => {
    open = resolve;
    fail = reject;
  });
  return { promise, open, fail };
}

/** An abort signal the test fires, as the Node bridge's is when the client goes away. */
export class FakeSignal implements AbortSignalLike {
  aborted = false;
  private readonly listeners = new Set<() => void>();

  addEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    this.listeners.delete(listener);
  }

  /** Listeners still attached: a released subscriber leaves none behind. */
  get listenerCount(): number {
    return this.listeners.size;
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    for (const listener of [...this.listeners]) listener();
  }
}

/** A neutral request the test built, with its signal exposed so that the test can abort it. */
export interface FakeRequest extends CometRequest {
  readonly signal: FakeSignal;
}

/** What a fake request is made of besides its method and URL. */
export interface FakeRequestInit {
  headers?: Record<string, string>;
  /** The body as a parsed value (as after `express.json()`), or raw text. */
  body?: ParsedBody | string;
  params?: Record<string, string>;
}

/** A request for `url` below the mount (`/poll?channel=a`). */
export function fakeRequest(method: string, url: string, init: FakeRequestInit = {}): FakeRequest {
  const parsed = new URL(url, 'http://fake.test');
  const headers = Object.fromEntries(Object.entries({ host: 'fake.test', ...init.headers }).map(([k, v]) => [k.toLowerCase(), v]));
  const signal = new FakeSignal();
  return {
    method,
    path: parsed.pathname,
    query: parsed.searchParams,
    params: init.params ?? {},
    header: (name) => headers[name.toLowerCase()],
    body: async () => (typeof init.body === 'string' ? Buffer.from(init.body) : (init.body ?? Buffer.alloc(0))),
    signal,
    raw: { fake: true },
  };
}

/** A stream sink that records every write with the (fake) time it was made. */
export class FakeSink implements StreamSink {
  readonly writes: { at: number; text: string }[] = [];
  ended: StreamEndOptions | undefined;

  write(chunk: Buffer | string): boolean {
    if (this.ended) throw new Error('write after end');
    this.writes.push({ at: Date.now(), text: chunk.toString() });
    return true;
  }

  bufferedBytes(): number {
    return 0;
  }

  drained(): Promise<void> | undefined {
    return undefined;
  }

  end(options: StreamEndOptions = {}): void {
    this.ended ??= options;
  }

  text(): string {
    return this.writes.map((w) => w.text).join('');
  }

  /** The frame objects of an XHR stream (`/stream`): one JSON object per non-blank line. */
  frames(): { type: string; [key: string]: unknown }[] {
    return this.text()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line));
  }
}

/** Starts a stream response on a fake sink; fails the test if the answer is no stream. */
export function startStream(response: CometResponse): FakeSink {
  if (!isStreamResponse(response)) throw new Error(`expected a stream, got ${response.status} ${String(response.body)}`);
  const sink = new FakeSink();
  response.start(sink);
  return sink;
}

/** The JSON body of a whole response; fails the test if the answer is a stream. */
export function bodyOf(response: CometResponse): { status: number; json: any } {
  if (isStreamResponse(response)) throw new Error('expected a whole response, got a stream');
  const body = (response as CometBodyResponse).body;
  return { status: response.status, json: JSON.parse(body.toString()) };
}

/** Tracks whether a promise has settled, so that a test can say "not yet" without waiting. */
export function track<T>(promise: Promise<T>): { readonly done: boolean; readonly value: T | undefined } {
  const state: { done: boolean; value: T | undefined } = { done: false, value: undefined };
  promise.then(
    (value) => {
      state.done = true;
      state.value = value;
    },
    () => {
      state.done = true;
    },
  );
  return state;
}

/** Subscriber handlers that record what they are given. */
export interface Recorder {
  readonly handlers: SubscriberHandlers;
  readonly batches: Batch[];
  readonly ends: { reason: EndReason; cursor: string }[];
  readonly lives: string[];
  /** Every entry handed over, in order. */
  entries(): LogEntry[];
}

export function recorder(): Recorder {
  const batches: Batch[] = [];
  const ends: { reason: EndReason; cursor: string }[] = [];
  const lives: string[] = [];
  return {
    batches,
    ends,
    lives,
    handlers: {
      batch: (batch) => void batches.push(batch),
      end: (reason, cursor) => void ends.push({ reason, cursor }),
      live: (cursor) => void lives.push(cursor),
    },
    entries: () => batches.flatMap((b) => b.entries),
  };
}

/** Parses a channel or pattern, failing the test on a bad one. */
export function channel(name: string): ParsedChannel {
  const parsed = parseChannel(name, true);
  if (isCometError(parsed)) throw parsed;
  return parsed;
}

export const channels = (...names: string[]): ParsedChannel[] => names.map(channel);

/** An engine over `broker` (a fresh memory broker unless given) with `options` resolved. */
export function engineWith(options: CometOptions = {}, broker: Broker = createMemoryBroker()): { engine: Engine; broker: Broker } {
  return { engine: createEngine({ broker, options: resolveOptions(options) }), broker };
}

/** A broker that passes everything on to `inner` except what the test changes. */
export function wrapBroker(inner: Broker, changes: Partial<Broker>): Broker {
  return {
    publish: (c, s, p) => inner.publish(c, s, p),
    read: (cursor, filter, limit) => inner.read(cursor, filter, limit),
    onEntry: (listener) => inner.onEntry(listener),
    head: () => inner.head(),
    close: () => inner.close(),
    ...changes,
  };
}

/** A broker whose feed never tells its listeners of the entries at `dropped` positions. */
export function holeyBroker(inner: Broker, dropped: ReadonlySet<number>): Broker {
  return wrapBroker(inner, {
    onEntry: (listener) => inner.onEntry((entry) => (dropped.has(entry.position) ? undefined : listener(entry))),
  });
}

/**
 * A broker whose reads wait until the test lets them through (`release`), one at a time and in
 * any order, as a remote broker's replies may come. The read is made when it is let through.
 */
export interface GatedBroker extends Broker {
  /** Reads waiting. */
  readonly waiting: number;
  /** Lets the `index`-th waiting read (oldest first) through. */
  release(index?: number): void;
  releaseAll(): void;
}

export function gatedBroker(inner: Broker, snapshotAtCall = false): GatedBroker {
  const queue: (() => void)[] = [];
  const broker: GatedBroker = {
    ...wrapBroker(inner, {}),
    get waiting() {
      return queue.length;
    },
    read(cursor, filter, limit) {
      // A read answered with what the log held when it was asked (then delayed), or with what
      // it holds when it is let through: a remote broker may do either.
      const early = snapshotAtCall ? inner.read(cursor, filter, limit) : undefined;
      return new Promise<ReadResult>((resolve, reject) => {
        queue.push(() => (early ?? inner.read(cursor, filter, limit)).then(resolve, reject));
      });
    },
    release(index = 0) {
      const [next] = queue.splice(index, 1);
      next?.();
    },
    releaseAll() {
      while (queue.length > 0) broker.release();
    },
  };
  return broker;
}

/**
 * Hubs made by a test file and closed after each of its tests: `const hubWith = closedAfterEach();`
 * then `hubWith({ … })` in a test. Registers its own `afterEach`, so call it at a file's top level.
 */
export function closedAfterEach(): (options?: CometOptions) => CometHub {
  const hubs: CometHub[] = [];
  afterEach(async () => {
    for (const hub of hubs.splice(0)) await hub.close();
  });
  return (options = {}) => {
    const hub = createComet(options);
    hubs.push(hub);
    return hub;
  };
}
