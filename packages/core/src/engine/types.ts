import type { EndReason as WireEndReason } from '@cometkit/protocol';
import type { GapReason, LogEntry } from '../log/broker';
import type { ParsedChannel } from '../log/channel';
import type { Cursor } from '../log/cursor';
import type { CometRequest } from '../neutral';
import type { AuthorizeContext } from './settings';

/**
 * The engine's vocabulary, apart from the classes that use it: what an entry point asks for
 * (`SubscribeSpec`), what it is handed (`Batch`), what it handles (`SubscriberHandlers`) and why
 * a subscriber ends. A file of types only, so that admission, subscribers and groups can all
 * name them without importing one another.
 */

/** What a subscriber hands its transport: messages in order, and the cursor after them. */
export interface Batch {
  readonly entries: readonly LogEntry[];
  /** Cursor text after this batch: send it back to resume exactly here. */
  readonly cursor: string;
  /** Set when messages were lost before this batch; `from` is the cursor the reader resumed from. */
  readonly gap?: { readonly reason: GapReason; readonly from: string };
}

/**
 * Why a subscriber ends: its client went away (`gone`); a one-batch subscriber answered (`done`);
 * the hold ran out (`timeout`); a stream reached its maximum `age` or byte `budget`; a `slow`
 * reader; shutdown (`closing`); the broker's history was lost (`reset`: the client's next request
 * gets the gap); a broker `error`.
 */
export type EndReason = WireEndReason | 'gone' | 'done' | 'timeout' | 'error';

/** What a transport does with what its subscriber receives. The engine calls these; they never release. */
export interface SubscriberHandlers {
  /** A batch to frame: messages, or a gap, or both. Never empty. */
  batch(batch: Batch): void;
  /**
   * The subscriber has ended and is already released; `cursor` is where its client resumes.
   * Called once, whoever ended it (the engine, the client going away, or the transport itself).
   */
  end(reason: EndReason, cursor: string): void;
  /** History has been read; from now on batches are live messages. `cursor` is where it stands. */
  live?(cursor: string): void;
  /**
   * Between two history batches: a promise when the transport wants the next one later (its
   * socket is still draining), so a fast reader is paced rather than buffered without bound.
   */
  pace?(): Promise<void> | undefined;
}

/** How long a subscriber may stay open, and what ending it then means. */
export interface Lifetime {
  /** 0 means: answer right after the history read (Bayeux `advice.timeout: 0`). */
  readonly ms: number;
  readonly reason: EndReason;
}

/** What an entry point asks the engine for when it subscribes one client. */
export interface SubscribeSpec {
  /** The entry point's name (`poll`, `sse`, `bayeux`, …): counted per name in the stats. */
  readonly transport: string;
  /** Channels and patterns, parsed. */
  readonly channels: readonly ParsedChannel[];
  /** Where to resume; undefined means "from now". */
  readonly cursor?: Cursor;
  /** The cursor text as the client sent it, reported back in a gap. */
  readonly sentCursor?: string;
  /** The request behind it (for `authorize`) and its abort signal (ends it as `gone`). */
  readonly request: CometRequest;
  readonly signal?: CometRequest['signal'];
  readonly handlers: SubscriberHandlers;
  /** When and why it ends by itself: a hold (`timeout`) or a maximum age (`age`). */
  readonly lifetime: Lifetime;
  /** One-batch: end (`done`) once a batch was handed over. Default false: stream until ended. */
  readonly once?: boolean;
  /**
   * Defer the history read until `subscriber.begin()`: a stream subscribes (and is admitted)
   * before its response starts, but may write only once it has.
   */
  readonly deferRead?: boolean;
  /** More for `authorize` (a Bayeux session, its `ext`). */
  readonly context?: Partial<AuthorizeContext>;
}
