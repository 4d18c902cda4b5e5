import type { LogEntry, ReadResult } from '../log/broker';
import { ChannelFilter } from '../log/channel-filter';
import type { ParsedChannel } from '../log/channel';
import { formatCursor, type Cursor } from '../log/cursor';
import type { AbortSignalLike } from '../neutral';
import type { Identity } from '../rules/channel-rules';
import { batchSize } from './batch-size';
import type { Timed } from './deadline-queue';
import type { Flushable } from './flush-schedule';
import { LogPosition } from './log-position';
import type { GroupMember, SubscriberGroup } from './subscriber-group';
import type { SubscriberServices } from './subscriber-services';
import type { Batch, EndReason, Lifetime, SubscriberHandlers } from './types';

export type { Batch, EndReason, Lifetime, SubscriberHandlers } from './types';

/**
 * One held request's place in the log: the channels it wants and the position it has seen.
 * Entries that arrive while it reads history are buffered, then released after the read with
 * everything at or below the read's position dropped, so nothing is lost or repeated. Changing
 * its channels, or a hole in the broker's feed, sends it back to reading from where it stands.
 *
 * It owns its state; the engine's parts reach it through its methods (a door needs only `begin`,
 * `setChannels`, `end` and the getters). Only `deadline` and `slot` are another's: the lifetime
 * queue keeps its bookkeeping on the item (no map, no search).
 */
export class Subscriber extends LogPosition implements Timed, GroupMember, Flushable {
  deadline = 0;
  slot = -1;
  /** Its channels, compiled for history reads. */
  private channelFilter: ChannelFilter;
  /** The subscribers of the same channels it is dispatched with. */
  private group: SubscriberGroup;
  /** The cursor text the current read starts from: the client's (the gap's `from`), or its own at a reread. */
  private readFromText: string;
  /** Entries of its own waiting for a flush (or for its read to end), oldest first. */
  private pending: LogEntry[] | undefined;
  /** How many history reads were started: a read that finds it changed stops. */
  private reads = 0;
  /** A read from history has been taken (its epoch and position are known). */
  private readTaken = false;
  private live = false;
  private closed = false;
  /** True while it takes its group's shared queue instead of entries of its own. */
  private sharing = false;
  private signal: AbortSignalLike | undefined;
  private readonly onGone = (): void => this.end('gone');

  constructor(
    readonly transport: string,
    channels: readonly ParsedChannel[],
    /** Where reading starts (its place until its first read), and as the client sent it: its cursor, or the head when it sent none. */
    readFrom: Cursor,
    readFromText: string,
    readonly lifetime: Lifetime,
    /** One-batch: ends (`done`) after handing over its first batch. */
    readonly once: boolean,
    readonly handlers: SubscriberHandlers,
    /** Who it is, as `authenticate` said at admission (undefined: no one, or no `authenticate`). */
    readonly identity: Identity | undefined,
    private readonly services: SubscriberServices<Subscriber>,
  ) {
    super(services.partitions, readFrom);
    this.channelFilter = new ChannelFilter(channels);
    this.readFromText = readFromText;
    this.group = services.groups.join(this, channels);
  }

  get channels(): readonly ParsedChannel[] {
    return this.channelFilter.channels;
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

  /** True when entries wait to be handed over (the next flush will), its own or its group's. */
  get hasPending(): boolean {
    if (this.pending !== undefined && this.pending.length > 0) return true;
    return this.sharing && this.group.hasQueuedAfter(this.position);
  }

  /** Starts the history read of a subscriber registered with `deferRead`. */
  begin(): void {
    if (!this.closed && this.reads === 0) this.services.read(this);
  }

  /** Ends this subscriber (`gone`) when `signal` aborts. */
  watch(signal: AbortSignalLike): void {
    if (signal.aborted) return queueMicrotask(this.onGone);
    this.signal = signal;
    signal.addEventListener('abort', this.onGone);
  }

  /**
   * Changes the channels while held, keeping the position: a channel added starts from this
   * subscriber's position (history after it is read), one removed stops at once.
   */
  setChannels(channels: readonly ParsedChannel[]): void {
    if (this.closed) return;
    const known = new Set(this.channels.map((c) => c.name));
    const added = channels.some((c) => !known.has(c.name));
    this.stopSharing(); // what its old group queued for it becomes its own, filtered below
    this.channelFilter = new ChannelFilter(channels);
    this.services.groups.leave(this, this.group);
    this.group = this.services.groups.join(this, channels);
    if (this.pending) this.pending = this.pending.filter((e) => this.channelFilter.matches(e.channel, e.segments));
    // A read under way still uses the old filter: read again with the new one.
    if (added || (!this.live && this.reads > 0)) this.reread();
    else if (this.live && !this.hasPending) this.startSharing();
  }

  /** The broker's feed skipped entries: if it has begun reading, it reads them from history. */
  feedSkipped(): void {
    if (this.reads > 0) this.reread();
  }

  /** Starts a history read: one started before is stale from now on. Returns its number, for `isReading`. */
  startRead(): number {
    return ++this.reads;
  }

  /** Where its read starts, as a cursor of its own. */
  readFrom(): Cursor {
    return this.cursor();
  }

  /** True while `read` is the latest read started and the subscriber is open: its results are wanted. */
  isReading(read: number): boolean {
    return !this.closed && this.reads === read;
  }

  /**
   * Goes live with no read when its read would start at or past `head`, the position this process
   * has dispatched: history then holds nothing for it that the feed will not bring. A read still
   * under way becomes stale. False, and nothing changes, when it must read.
   */
  skipReadIfCaughtUp(head: LogPosition): boolean {
    if (!this.reaches(head)) return false;
    this.reads++;
    this.readTaken = true;
    this.goLive();
    return true;
  }

  /** A new entry on one of this subscriber's channels (may come twice through two patterns). */
  push(entry: LogEntry): void {
    if (this.closed) return;
    // The log was replaced (its history lost): positions start over, so they cannot be compared.
    // Ending makes the client come back with its cursor, and that read reports the gap.
    if (this.live && entry.epoch !== this.epoch) return this.end('reset');
    if (!this.queue(entry)) return;
    (this.pending ??= []).push(entry);
    if (this.live) this.services.flushes.markDirty(this);
  }

  /** Takes a read from history: hands it on (with its gap, if any) and moves the position. */
  takeRead(result: ReadResult): void {
    this.setTo(result);
    this.readTaken = true;
    if (result.entries.length === 0 && !result.gap) return;
    const cursor = formatCursor(result);
    this.services.delivered(result.entries.length, result.gap !== undefined);
    this.handOver(result.gap ? { entries: result.entries, cursor, gap: { reason: result.gap, from: this.readFromText } } : { entries: result.entries, cursor });
  }

  /** After the last read: releases what arrived meanwhile and takes live entries from now on. */
  goLive(): void {
    if (this.closed) return;
    if (this.pending?.some((entry) => entry.epoch !== this.epoch)) return this.end('reset');
    this.live = true;
    this.queueUpToHanded();
    if (this.pending) this.pending = this.pending.filter((entry) => this.isBefore(entry));
    this.handlers.live?.(this.text());
    if (this.closed) return;
    if (this.lifetime.ms === 0) return this.expire();
    if (this.hasPending) this.services.flushes.markDirty(this);
    else this.startSharing();
  }

  /**
   * Hands pending live entries to the transport as one batch of at most `batchLimit` entries and
   * `maxBatchBytes` (never before history is read). What is left waits for the next turn.
   */
  flush(): void {
    if (this.sharing) return this.group.flushFor(this);
    const pending = this.pending;
    if (this.closed || !this.live || pending === undefined || pending.length === 0) return;
    const size = batchSize(pending, this.services.batchLimit, this.services.maxBatchBytes);
    let entries = pending;
    if (size < pending.length) {
      entries = pending.slice(0, size);
      this.pending = pending.slice(size);
      this.services.flushes.markDirty(this);
    } else this.pending = undefined;
    entries = this.pass(entries);
    this.services.delivered(entries.length, false);
    this.handOver({ entries, cursor: entries[entries.length - 1]!.cursor });
    if (this.pending === undefined && !this.closed) this.startSharing();
  }

  /**
   * A sharing member's share of its group's batch (made once for every member). A member that
   * was handed part of it already (it expired earlier this turn) gets the rest.
   */
  takeShared(batch: Batch): void {
    if (this.closed) return;
    const { entries } = batch;
    const last = entries[entries.length - 1]!;
    const position = this.position;
    if (last.position <= position) return;
    const fresh = entries[0]!.position > position ? batch : { entries: entries.filter((e) => e.position > position), cursor: batch.cursor };
    this.passShared(last);
    this.services.delivered(fresh.entries.length, false);
    this.handOver(fresh);
  }

  /** Leaves its group's shared queue: what the queue holds for it becomes its own pending entries. */
  stopSharing(): void {
    if (!this.sharing) return;
    this.sharing = false;
    this.group.unshare(this);
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
    const resume = cursor ?? this.resumeCursor();
    this.services.groups.leave(this, this.group);
    this.sharing = false;
    this.services.release(this, reason);
    this.closed = true;
    this.pending = undefined;
    this.signal?.removeEventListener('abort', this.onGone);
    this.signal = undefined;
    this.handlers.end(reason, resume);
  }

  /** Reads history again from where it stands (a hole in the broker's feed, or new channels). */
  private reread(): void {
    if (this.closed) return;
    this.stopSharing();
    if (this.readTaken) this.readFromText = this.text();
    this.live = false;
    this.services.read(this);
  }

  /** Live with nothing pending of its own: it joins its group's shared queue, if the group lets it. */
  private startSharing(): void {
    if (!this.sharing && this.group.share(this)) this.sharing = true;
  }

  /**
   * Where its client resumes: what it was handed, raised to this process's head when it is
   * caught up (live, nothing waiting: it has seen everything dispatched), so that its next
   * request needs no read. Ended before its first read: where it started.
   */
  private resumeCursor(): string {
    if (!this.readTaken) return this.readFromText;
    const { head } = this.services;
    const caughtUp = this.live && !this.hasPending && head.epoch === this.epoch;
    return caughtUp ? this.textRaisedTo(head) : this.text();
  }

  private handOver(batch: Batch): void {
    this.handlers.batch(batch);
    if (this.once) this.end('done');
  }
}
