import type { LogEntry } from '../log/broker';
import type { ParsedChannel } from '../log/channel';
import { batchSize } from './batch-size';
import type { Flushable, FlushSchedule } from './flush-schedule';
import type { Batch } from './types';

/**
 * What a group needs of a member (a subscriber). Declared here, not imported, so that groups and
 * subscribers do not import each other.
 */
export interface GroupMember {
  /** The epoch of the log the member reads. */
  readonly epoch: string;
  /** The position of the last entry handed to it (a log of one partition: members of a partitioned log never share). */
  readonly position: number;
  readonly isClosed: boolean;
  /** An entry on one of its channels, for the member to queue itself. */
  push(entry: LogEntry): void;
  /** Its share of the group's batch. */
  takeShared(batch: Batch): void;
  /** Leaves the shared queue (the group's log was replaced, or it is flushed with too much queued): it takes each entry itself from now on. */
  stopSharing(): void;
  /** Hands over its own pending entries. */
  flush(): void;
}

/** How a group flushes: its batch limits, whether its members may share a queue, and its schedule. */
export interface GroupSettings {
  readonly batchLimit: number;
  /** Most bytes of JSON in one batch (see `batchSize`). */
  readonly maxBatchBytes: number;
  /** False in a partitioned log: members keep a position per partition and never share a turn. */
  readonly canShare: boolean;
  readonly flushes: FlushSchedule;
}

/** The key of a channel list: its names, sorted, so that one list in two orders is one group. */
export function groupKey(channels: readonly ParsedChannel[]): string {
  return channels.length === 1 ? channels[0]!.name : channels.map((c) => c.name).sort().join('\n');
}

/**
 * What a group is taken to hold on the heap, in bytes, for bounding the groups kept empty: per
 * channel its parsed form and index entry, its name (held twice: in the channel and the group's
 * key) and per segment what the index's trie node and the segment's string cost. The figures are
 * measured (Node 20): close to the heap a kept group holds for a hostile list (32 channels of 200
 * characters, of one segment or of 16), above it for usual ones (their index nodes are shared).
 * Names alone would count deep lists forty times too low. Counted once per group, when it is made.
 */
export function footprintOf(channels: readonly ParsedChannel[]): number {
  let bytes = 0;
  for (const channel of channels) bytes += CHANNEL_BYTES + 2 * channel.name.length + SEGMENT_BYTES * channel.segments.length;
  return bytes;
}

const CHANNEL_BYTES = 256;
const SEGMENT_BYTES = 512;

/**
 * A group's members of one kind: one alone (the usual case for a channel of one user's) without
 * a set, several in one.
 */
type Members = Set<GroupMember> | GroupMember | undefined;

const countOf = (members: Members): number => (members instanceof Set ? members.size : members ? 1 : 0);
const has = (members: Members, member: GroupMember): boolean => members === member || (members instanceof Set && members.has(member));
const listOf = (members: Members): GroupMember[] => (members instanceof Set ? [...members] : members ? [members] : []);

function withMember(members: Members, member: GroupMember): Members {
  if (!members) return member;
  if (members instanceof Set) return members.add(member);
  return members === member ? members : new Set([members, member]);
}

function withoutMember(members: Members, member: GroupMember): Members {
  if (members === member) return undefined;
  if (members instanceof Set && members.delete(member) && members.size === 1) return members.values().next().value;
  return members;
}

/**
 * The subscribers that asked for the same channels. The index holds groups, not subscribers, so
 * a published entry is matched and queued once per group: the members that are live and have
 * nothing of their own waiting (the sharing ones, nearly every held client) share one queue per
 * event-loop turn and get one batch object, whose bytes their transports build once. Members
 * still reading history, or with entries of their own waiting, get each entry as before.
 *
 * Sharing members stand at the same place in what this process has dispatched (each has been
 * handed everything matching up to now, and their epoch is the group's), so one queue serves
 * them all; a member leaves the queue (taking what it holds for it) before it does anything
 * that would break that: reading history again, changing channels, ending with more than a
 * batch queued for it.
 */
export class SubscriberGroup implements Flushable {
  /** Live members with nothing pending of their own: they take the group's queue. */
  private sharing: Members;
  /** Members that take each entry themselves (reading history, or with entries of their own waiting). */
  private others: Members;
  /** Entries of this turn for the sharing members, oldest first. */
  private turn: LogEntry[] | undefined;
  /** The epoch of the sharing members. */
  private epoch = '';
  /** The entry queued last: two patterns of the list matching one entry queue it once. */
  private lastEntry: LogEntry | undefined;
  /** What it holds on the heap (see {@link footprintOf}), counted once: groups are reused poll after poll. */
  readonly footprint: number;

  constructor(
    readonly key: string,
    readonly channels: readonly ParsedChannel[],
    private readonly settings: GroupSettings,
  ) {
    this.footprint = footprintOf(channels);
  }

  get size(): number {
    return countOf(this.sharing) + countOf(this.others);
  }

  add(member: GroupMember): void {
    this.others = withMember(this.others, member);
  }

  /** Takes a member out (it ended, or moved to other channels), with nothing left for it. */
  remove(member: GroupMember): void {
    if (!this.dropSharing(member)) this.others = withoutMember(this.others, member);
  }

  /** A dispatched entry on one of the group's channels (may come twice through two patterns). */
  push(entry: LogEntry): void {
    if (entry === this.lastEntry) return;
    this.lastEntry = entry;
    const { others } = this;
    if (others instanceof Set) for (const member of others) member.push(entry);
    else others?.push(entry);
    if (!this.sharing) return;
    if (entry.epoch !== this.epoch) {
      // A new log: each member learns it its own way (a live one ends with `reset`).
      const members = listOf(this.sharing);
      for (const member of members) member.stopSharing();
      for (const member of members) member.push(entry);
      return;
    }
    if (this.turn) this.turn.push(entry);
    else {
      this.turn = [entry];
      this.settings.flushes.markDirty(this);
    }
  }

  /**
   * A member that is live and has nothing pending joins the shared queue, if it can (a member of
   * a partitioned log, or of another epoch than the sharing ones, cannot). True when it joined.
   */
  share(member: GroupMember): boolean {
    if (!this.settings.canShare || member.isClosed || !has(this.others, member)) return false;
    if (!this.sharing) this.epoch = member.epoch;
    else if (member.epoch !== this.epoch) return false;
    this.others = withoutMember(this.others, member);
    this.sharing = withMember(this.sharing, member);
    return true;
  }

  /**
   * A member leaves the shared queue: what the queue holds for it becomes its own pending
   * entries, and from now on it gets each entry. False when it was not sharing.
   */
  unshare(member: GroupMember): boolean {
    const { turn } = this;
    if (!this.dropSharing(member)) return false;
    this.add(member);
    if (turn) for (const entry of turn) if (entry.position > member.position) member.push(entry);
    return true;
  }

  /** Whether the queue holds anything a sharing member at `position` has not been handed yet. */
  hasQueuedAfter(position: number): boolean {
    const { turn } = this;
    return turn !== undefined && turn[turn.length - 1]!.position > position;
  }

  /** What the queue holds that a sharing member at `position` has not been handed yet. */
  queuedAfter(position: number): LogEntry[] {
    const { turn } = this;
    if (!turn || !this.hasQueuedAfter(position)) return [];
    return turn[0]!.position > position ? turn.slice() : turn.filter((entry) => entry.position > position);
  }

  /**
   * A sharing member flushed out of turn (its lifetime ran out): hands it what the queue holds
   * for it, alone, or as entries of its own when that is more than a batch.
   */
  flushFor(member: GroupMember): void {
    const entries = this.queuedAfter(member.position);
    if (entries.length === 0) return;
    const { batchLimit, maxBatchBytes } = this.settings;
    if (batchSize(entries, batchLimit, maxBatchBytes) < entries.length) {
      member.stopSharing();
      return member.flush();
    }
    member.takeShared({ entries, cursor: entries[entries.length - 1]!.cursor });
  }

  /**
   * Hands this turn's entries to every sharing member: one batch object for all, of at most
   * `batchLimit` entries and `maxBatchBytes` (the rest wait for the next turn, as a member's own
   * entries do).
   */
  flush(): void {
    const entries = this.turn;
    const { sharing } = this;
    if (!entries || !sharing) {
      this.turn = undefined;
      return;
    }
    const size = batchSize(entries, this.settings.batchLimit, this.settings.maxBatchBytes);
    let taken = entries;
    if (size < entries.length) {
      taken = entries.slice(0, size);
      this.turn = entries.slice(size);
      this.settings.flushes.markDirty(this);
    } else this.turn = undefined;
    const batch: Batch = { entries: taken, cursor: taken[taken.length - 1]!.cursor };
    if (sharing instanceof Set) for (const member of sharing) member.takeShared(batch);
    else sharing.takeShared(batch);
  }

  /** Takes a sharing member out of the queue; false when it was not one. */
  private dropSharing(member: GroupMember): boolean {
    if (!has(this.sharing, member)) return false;
    this.sharing = withoutMember(this.sharing, member);
    if (!this.sharing) this.turn = undefined;
    return true;
  }
}
