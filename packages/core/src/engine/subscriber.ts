import type { EndReason as WireEndReason } from '@cometkit/protocol';
import type { GapReason, LogEntry, ReadResult } from '../log/broker';
import { ChannelFilter } from '../log/channel-filter';
import type { ParsedChannel } from '../log/channel';
import { formatCursor, type Cursor } from '../log/cursor';
import { withPositions } from '../log/log-entry';
import type { AbortSignalLike } from '../neutral';
import type { Timed } from './deadline-queue';
import type { SubscriberGroup } from './subscriber-group';
import { raiseTo, samePositions, sumOf } from './vector';

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

/** What a subscriber needs from the engine that owns it. */
export interface SubscriberHost {
  readonly batchLimit: number;
  /** The log's partition count: above 1, positions are kept one per partition. */
  readonly partitions: number;
  markDirty(target: { flush(): void }): void;
  /** (Re)starts the history read from the subscriber's read position. */
  read(subscriber: Subscriber): void;
  /** Moves the subscriber to the group of its new channels. */
  regroup(subscriber: Subscriber, channels: readonly ParsedChannel[]): void;
  /** Takes the subscriber out of every index, queue and count, and says where it may resume. */
  release(subscriber: Subscriber, reason: EndReason): string;
  /** Counts handed-over entries and gaps. */
  delivered(count: number, gap: boolean): void;
}

/**
 * One held request's place in the log: the channels it wants and the position it has seen.
 * Entries that arrive while it reads history are buffered, then released after the read with
 * everything at or below the read's position dropped, so nothing is lost or repeated. Changing
 * its channels, or a hole in the broker's feed, sends it back to reading from where it stands.
 */
export class Subscriber implements Timed {
  epoch = '';
  /** Position of the last entry handed to the transport (or read past). */
  position = 0;
  /** In a partitioned log, the position in each partition handed over (or read past); else undefined. */
  vector: number[] | undefined;
  deadline = 0;
  slot = -1;
  /** Bumped by every (re)start of the history read; a read that finds it changed stops. */
  generation = 0;
  /** The subscribers of the same channels it is dispatched with (set by the engine). */
  group!: SubscriberGroup;
  /** True while it takes its group's shared queue instead of entries of its own. */
  synced = false;
  private channelList: readonly ParsedChannel[];
  private channelFilter: ChannelFilter;
  /** Epoch and position of the newest entry queued: a second pattern matching it adds nothing. */
  private queuedEpoch = '';
  private queued = 0;
  /** The same per partition, in a partitioned log. */
  private queuedVector: number[] | undefined;
  private pending: LogEntry[] | undefined;
  private live = false;
  private closed = false;
  private signal: AbortSignalLike | undefined;
  private readonly onGone = (): void => this.end('gone');

  constructor(
    readonly transport: string,
    channels: readonly ParsedChannel[],
    /** Where reading starts: the client's cursor, or the head when it sent none. */
    public readFrom: Cursor,
    /** The cursor text the client sent (the gap's `from`), or the head's. */
    public readFromText: string,
    readonly lifetime: Lifetime,
    /** One-batch: ends (`done`) after handing over its first batch. */
    readonly once: boolean,
    readonly handlers: SubscriberHandlers,
    private readonly host: SubscriberHost,
  ) {
    this.channelList = channels;
    this.channelFilter = new ChannelFilter(channels);
  }

  get channels(): readonly ParsedChannel[] {
    return this.channelList;
  }

  get filter(): ChannelFilter {
    return this.channelFilter;
  }

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

  /** True when entries wait to be handed over (the next flush will), its own or its group's. */
  get hasPending(): boolean {
    if (this.pending !== undefined && this.pending.length > 0) return true;
    return this.synced && this.group.hasQueuedAfter(this.position);
  }

  /** Starts the history read of a subscriber registered with `deferRead`. */
  begin(): void {
    if (!this.closed && this.generation === 0) this.host.read(this);
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

  /**
   * Changes the channels while held, keeping the position: a channel added starts from this
   * subscriber's position (history after it is read), one removed stops at once.
   */
  setChannels(channels: readonly ParsedChannel[]): void {
    if (this.closed) return;
    const known = new Set(this.channelList.map((c) => c.name));
    const added = channels.some((c) => !known.has(c.name));
    this.group.unsync(this); // what its old group queued for it becomes its own, filtered below
    this.channelList = channels;
    this.channelFilter = new ChannelFilter(channels);
    this.host.regroup(this, channels);
    if (this.pending) this.pending = this.pending.filter((e) => this.channelFilter.matches(e.channel, e.segments));
    // A read under way still uses the old filter: read again with the new one.
    if (added || (!this.live && this.generation > 0)) this.reread();
    else if (this.live && !this.hasPending) this.group.sync(this);
  }

  /** Reads history again from where it stands (a hole in the broker's feed, or new channels). */
  reread(): void {
    if (this.closed) return;
    this.group.unsync(this);
    if (this.hasRead) {
      const vector = this.vector;
      this.readFrom = vector ? { epoch: this.epoch, position: sumOf(vector), positions: vector.slice() } : { epoch: this.epoch, position: this.position };
      this.readFromText = formatCursor(this.readFrom);
    }
    this.live = false;
    this.host.read(this);
  }

  /** A new entry on one of this subscriber's channels (may come twice through two patterns). */
  push(entry: LogEntry): void {
    if (this.closed) return;
    // The log was replaced (its history lost): positions start over, so they cannot be compared.
    // Ending makes the client come back with its cursor, and that read reports the gap.
    if (this.live && entry.epoch !== this.epoch) return this.end('reset');
    if (this.host.partitions > 1) {
      if (!this.queueVector(entry)) return;
    } else {
      if (entry.epoch === this.queuedEpoch && entry.position <= this.queued) return;
      this.queued = entry.position;
    }
    this.queuedEpoch = entry.epoch;
    (this.pending ??= []).push(entry);
    if (this.live) this.host.markDirty(this);
  }

  /** Takes a read from history: hands it on (with its gap, if any) and moves the position. */
  takeRead(result: ReadResult): void {
    this.epoch = result.epoch;
    this.position = result.position;
    if (result.positions) this.vector = result.positions.slice();
    if (result.entries.length === 0 && !result.gap) return;
    const cursor = formatCursor(result);
    this.host.delivered(result.entries.length, result.gap !== undefined);
    this.hand(result.gap ? { entries: result.entries, cursor, gap: { reason: result.gap, from: this.readFromText } } : { entries: result.entries, cursor });
  }

  /** After the last read: releases what arrived meanwhile and takes live entries from now on. */
  goLive(): void {
    if (this.closed) return;
    if (this.pending?.some((entry) => entry.epoch !== this.epoch)) return this.end('reset');
    this.live = true;
    const vector = this.vector;
    if (vector) {
      if (this.queuedEpoch === this.epoch && this.queuedVector) raiseTo(this.queuedVector, vector);
      else this.queuedVector = vector.slice();
      if (this.pending) this.pending = this.pending.filter((entry) => entry.position > vector[entry.partition]!);
    } else {
      this.queued = this.queuedEpoch === this.epoch ? Math.max(this.queued, this.position) : this.position;
      if (this.pending) this.pending = this.pending.filter((entry) => entry.position > this.position);
    }
    this.queuedEpoch = this.epoch;
    this.handlers.live?.(vector ? formatCursor({ epoch: this.epoch, position: sumOf(vector), positions: vector }) : formatCursor({ epoch: this.epoch, position: this.position }));
    if (this.closed) return;
    if (this.lifetime.ms === 0) return this.expire();
    if (this.hasPending) this.host.markDirty(this);
    else this.group.sync(this);
  }

  /**
   * Hands pending live entries to the transport as one batch of at most `batchLimit` (never
   * before history is read). What is left waits for the next turn.
   */
  flush(): void {
    if (this.synced) return this.flushQueued();
    const pending = this.pending;
    if (this.closed || !this.live || pending === undefined || pending.length === 0) return;
    const { batchLimit } = this.host;
    let entries = pending;
    if (pending.length > batchLimit) {
      entries = pending.slice(0, batchLimit);
      this.pending = pending.slice(batchLimit);
      this.host.markDirty(this);
    } else {
      this.pending = undefined;
    }
    if (this.vector) entries = this.atOwnPositions(entries, this.vector);
    const last = entries[entries.length - 1]!;
    this.position = last.position;
    this.host.delivered(entries.length, false);
    this.hand({ entries, cursor: last.cursor });
    if (this.pending === undefined && !this.closed) this.group.sync(this);
  }

  /**
   * A synced member's share of its group's batch (made once for every member). A member that
   * was handed part of it already (it expired earlier this turn) gets the rest.
   */
  takeShared(batch: Batch): void {
    if (this.closed) return;
    const { entries } = batch;
    const last = entries[entries.length - 1]!;
    if (last.position <= this.position) return;
    const fresh = entries[0]!.position > this.position ? batch : { entries: entries.filter((e) => e.position > this.position), cursor: batch.cursor };
    this.position = this.queued = last.position;
    this.host.delivered(fresh.entries.length, false);
    this.hand(fresh);
  }

  /** A synced member flushed out of turn (its lifetime ran out): hands what its group holds for it. */
  private flushQueued(): void {
    const entries = this.group.queuedAfter(this.position);
    if (entries.length === 0) return;
    if (entries.length > this.host.batchLimit) {
      this.group.unsync(this);
      return this.flush();
    }
    this.takeShared({ entries, cursor: entries[entries.length - 1]!.cursor });
  }

  /** Its lifetime ran out (or the hub closes): hands over what is pending, then ends. */
  expire(reason: EndReason = this.lifetime.reason): void {
    this.flush();
    this.end(reason);
  }

  /**
   * Ends this subscriber: it is released first (so no transport can leak it), then its transport
   * is told, with the cursor to resume from (`cursor` when the transport stopped mid-batch).
   */
  end(reason: EndReason, cursor?: string): void {
    if (this.closed) return;
    const resume = this.host.release(this, reason);
    this.closed = true;
    this.pending = undefined;
    this.signal?.removeEventListener('abort', this.onGone);
    this.signal = undefined;
    this.handlers.end(reason, cursor ?? resume);
  }

  /** Queues a partitioned log's entry unless its partition's position was queued already. */
  private queueVector(entry: LogEntry): boolean {
    let queued = this.queuedVector;
    if (entry.epoch !== this.queuedEpoch || !queued) queued = this.queuedVector = new Array<number>(this.host.partitions).fill(0);
    if (entry.position <= queued[entry.partition]!) return false;
    queued[entry.partition] = entry.position;
    return true;
  }

  /**
   * Live entries of a partitioned log carry the dispatching process's head as their cursor, right
   * for every subscriber that is not ahead of it in some partition (its history read went past
   * the feed); those get the entry at their own positions, so no cursor moves a reader back.
   */
  private atOwnPositions(entries: LogEntry[], vector: number[]): LogEntry[] {
    let own: LogEntry[] | undefined;
    for (let i = 0; i < entries.length; i++) {
      const entry = entries[i]!;
      const at = entry.positions;
      if (!at) {
        own?.push(entry); // a broker that gave none: its cursor is all there is
        continue;
      }
      raiseTo(vector, at);
      vector[entry.partition] = entry.position;
      if (!own && samePositions(vector, at)) continue;
      own ??= entries.slice(0, i);
      own.push(samePositions(vector, at) ? entry : withPositions(entry, vector.slice()));
    }
    return own ?? entries;
  }

  private hand(batch: Batch): void {
    this.handlers.batch(batch);
    if (this.once) this.end('done');
  }
}
