import type { GapReason, LogEntry, ReadResult } from './broker';
import type { ChannelFilter } from './channel-filter';
import type { ParsedChannel } from './channel';
import { formatCursor } from './cursor';
import type { AbortSignalLike } from './neutral';
import type { CometStats } from './stats';
import type { TimeoutQueue } from './timeout-queue';

/** What a subscriber hands its transport: messages in order, and the cursor after them. */
export interface Batch {
  readonly entries: readonly LogEntry[];
  /** Cursor text after this batch: send it back to resume exactly here. */
  readonly cursor: string;
  /** Set when messages were lost before this batch; `from` is the cursor the client sent. */
  readonly gap?: { readonly reason: GapReason; readonly from: string };
}

/**
 * Why a subscriber ends: its client went away (`gone`), or the hub ends it (the long-poll
 * `timeout`, a stream's maximum `age` or byte `budget`, a `slow` reader, shutdown (`closing`), the
 * broker's history was lost (`reset`: the client's next request gets the gap), a broker `error`).
 */
export type EndReason = 'gone' | 'timeout' | 'age' | 'closing' | 'slow' | 'budget' | 'reset' | 'error';

/** What a transport does with what its subscriber receives. */
export interface SubscriberHandlers {
  /** A batch to frame. After a read it may be empty (no gap, no entries): the cursor is then the head. */
  batch(batch: Batch): void;
  /**
   * The subscriber ends (see {@link EndReason}); the transport answers or ends its stream, and
   * releases the subscriber (`hub.release`).
   */
  end(reason: EndReason): void;
  /** History has been read; from now on batches are live messages. */
  live?(): void;
}

/** What a subscriber needs from its hub. */
export interface SubscriberHost {
  readonly stats: CometStats;
  markDirty(subscriber: Subscriber): void;
}

/**
 * One held request's place in the log: the channels it wants and the position it has seen.
 * Entries that arrive while it is still reading history are buffered, then released after the
 * read with everything at or below the read's position dropped, so nothing is lost or repeated.
 */
export class Subscriber {
  epoch = '';
  /** Position of the last entry handed to the transport (or read past). */
  position = 0;
  /** The timeout queue this subscriber waits in, if any. */
  lifetime: TimeoutQueue<Subscriber> | undefined;
  /** The cursor it started from: the client's, or the head when it sent none. */
  startCursor = '';
  /** Epoch and position of the newest entry queued: a second pattern matching it adds nothing. */
  private queuedEpoch = '';
  private queued = 0;
  private pending: LogEntry[] | undefined;
  private live = false;
  private closed = false;
  private signal: AbortSignalLike | undefined;
  private readonly onGone = (): void => this.end('gone');

  constructor(
    readonly transport: string,
    readonly channels: readonly ParsedChannel[],
    readonly filter: ChannelFilter,
    private readonly handlers: SubscriberHandlers,
    private readonly host: SubscriberHost,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  get isLive(): boolean {
    return this.live;
  }

  /** True once a read from history has been taken (its epoch and position are known). */
  get hasRead(): boolean {
    return this.epoch !== '';
  }

  /** True when entries wait to be handed over (the next flush will). */
  get hasPending(): boolean {
    return this.pending !== undefined && this.pending.length > 0;
  }

  /** The cursor text of {@link position}. */
  get cursor(): string {
    return formatCursor({ epoch: this.epoch, position: this.position });
  }

  /** Ends this subscriber (`gone`) when `signal` aborts. */
  watch(signal: AbortSignalLike): void {
    if (signal.aborted) {
      queueMicrotask(this.onGone);
      return;
    }
    this.signal = signal;
    signal.addEventListener('abort', this.onGone);
  }

  /** A new entry on one of this subscriber's channels (may come twice through two patterns). */
  push(entry: LogEntry): void {
    if (this.closed) return;
    // The log was replaced (its history lost): positions start over, so they cannot be compared.
    // Ending makes the client come back with its cursor, and that read reports the gap.
    if (this.live && entry.epoch !== this.epoch) return this.end('reset');
    if (entry.epoch === this.queuedEpoch && entry.position <= this.queued) return;
    this.queuedEpoch = entry.epoch;
    this.queued = entry.position;
    (this.pending ??= []).push(entry);
    if (this.live) this.host.markDirty(this);
  }

  /** Takes a read from history: hands it on (with its gap, if any) and moves the position. */
  takeRead(result: ReadResult, sentCursor: string | undefined): void {
    this.epoch = result.epoch;
    this.position = result.position;
    const cursor = formatCursor({ epoch: result.epoch, position: result.position });
    this.host.stats.delivered += result.entries.length;
    if (result.gap) {
      this.host.stats.gaps++;
      this.handlers.batch({ entries: result.entries, cursor, gap: { reason: result.gap, from: sentCursor ?? '' } });
    } else {
      this.handlers.batch({ entries: result.entries, cursor });
    }
  }

  /** After the last read: releases what arrived meanwhile and takes live entries from now on. */
  goLive(): void {
    if (this.closed) return;
    if (this.pending?.some((entry) => entry.epoch !== this.epoch)) return this.end('reset');
    this.live = true;
    this.queued = this.queuedEpoch === this.epoch ? Math.max(this.queued, this.position) : this.position;
    this.queuedEpoch = this.epoch;
    if (this.pending) this.pending = this.pending.filter((entry) => entry.position > this.position);
    this.handlers.live?.();
    if (this.hasPending && !this.closed) this.host.markDirty(this);
  }

  /** Hands pending live entries to the transport as one batch (never before history is read). */
  flush(): void {
    const entries = this.pending;
    if (this.closed || !this.live || entries === undefined || entries.length === 0) return;
    this.pending = undefined;
    const last = entries[entries.length - 1]!;
    this.position = last.position;
    this.host.stats.delivered += entries.length;
    this.handlers.batch({ entries, cursor: last.cursor });
  }

  /** Tells the transport this subscriber ends, and why. */
  end(reason: EndReason): void {
    if (!this.closed) this.handlers.end(reason);
  }

  /** Marks this subscriber closed and stops watching its signal. False when it already was. */
  markClosed(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.pending = undefined;
    this.signal?.removeEventListener('abort', this.onGone);
    this.signal = undefined;
    return true;
  }
}
