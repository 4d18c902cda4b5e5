import type { GapReason, LogEntry, ReadResult } from './broker';
import type { ChannelFilter } from './channel-filter';
import type { ParsedChannel } from './channel';
import { formatCursor } from './cursor';

/** What a subscriber hands its transport: messages in order, and the cursor after them. */
export interface Batch {
  readonly entries: readonly LogEntry[];
  /** Cursor text after this batch: send it back to resume exactly here. */
  readonly cursor: string;
  /** Set when messages were lost before this batch; `from` is the cursor the client sent. */
  readonly gap?: { readonly reason: GapReason; readonly from: string };
}

/** Why the hub ends a subscriber that its client did not leave. */
export type EndReason = 'timeout' | 'age' | 'closing' | 'slow' | 'budget' | 'error';

/** What a transport does with what its subscriber receives. */
export interface SubscriberHandlers {
  /** A batch to frame. After a read it may be empty (no gap, no entries): the cursor is then the head. */
  batch(batch: Batch): void;
  /** The hub ends this subscriber (see {@link EndReason}); the transport answers or ends its stream. */
  end(reason: EndReason): void;
  /** History has been read; from now on batches are live messages. */
  live?(): void;
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
  private queued = 0;
  private pending: LogEntry[] = [];
  private live = false;
  private closed = false;

  constructor(
    readonly transport: string,
    readonly channels: readonly ParsedChannel[],
    readonly filter: ChannelFilter,
    private readonly handlers: SubscriberHandlers,
    private readonly markDirty: (subscriber: Subscriber) => void,
  ) {}

  get isClosed(): boolean {
    return this.closed;
  }

  get isLive(): boolean {
    return this.live;
  }

  /** True when entries wait to be handed over (the next flush will). */
  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  /** The cursor text of {@link position}. */
  get cursor(): string {
    return formatCursor({ epoch: this.epoch, position: this.position });
  }

  /** A new entry on one of this subscriber's channels (may come twice through two patterns). */
  push(entry: LogEntry): void {
    if (this.closed || entry.position <= this.queued) return;
    this.queued = entry.position;
    this.pending.push(entry);
    if (this.live) this.markDirty(this);
  }

  /** Takes a read from history: hands it on (with its gap, if any) and moves the position. */
  takeRead(result: ReadResult, sentCursor: string | undefined): void {
    this.epoch = result.epoch;
    this.position = result.position;
    const cursor = formatCursor({ epoch: result.epoch, position: result.position });
    const gap = result.gap ? { reason: result.gap, from: sentCursor ?? '' } : undefined;
    this.handlers.batch(gap ? { entries: result.entries, cursor, gap } : { entries: result.entries, cursor });
  }

  /** After the last read: releases what arrived meanwhile and takes live entries from now on. */
  goLive(): void {
    if (this.closed) return;
    this.live = true;
    this.pending = this.pending.filter((entry) => entry.position > this.position);
    this.queued = Math.max(this.queued, this.position);
    this.handlers.live?.();
    if (this.pending.length > 0 && !this.closed) this.markDirty(this);
  }

  /** Hands pending live entries to the transport as one batch. */
  flush(): void {
    if (this.closed || this.pending.length === 0) return;
    const entries = this.pending;
    this.pending = [];
    const last = entries[entries.length - 1]!;
    this.position = last.position;
    this.handlers.batch({ entries, cursor: last.cursor });
  }

  /** The hub ends this subscriber; the transport is told why. */
  end(reason: EndReason): void {
    if (!this.closed) this.handlers.end(reason);
  }

  /** Marks this subscriber closed; the hub removes it from every index. Idempotent. */
  markClosed(): boolean {
    if (this.closed) return false;
    this.closed = true;
    this.pending = [];
    return true;
  }
}
