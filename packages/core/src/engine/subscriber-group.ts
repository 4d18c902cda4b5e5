import type { LogEntry } from '../log/broker';
import type { ParsedChannel } from '../log/channel';
import type { Batch, Subscriber } from './subscriber';

/** What a group needs from the engine that owns it. */
export interface GroupHost {
  readonly batchLimit: number;
  /** Above 1 (a partitioned log), members keep a position per partition and never share a turn. */
  readonly partitions: number;
  markDirty(target: { flush(): void }): void;
}

/** The key of a channel list: its names, sorted, so that one list in two orders is one group. */
export function groupKey(channels: readonly ParsedChannel[]): string {
  return channels.length === 1 ? channels[0]!.name : channels.map((c) => c.name).sort().join('\n');
}

/**
 * The subscribers that asked for the same channels. The index holds groups, not subscribers, so
 * a published entry is matched and queued once per group: the members that are live and have
 * nothing of their own waiting (the "synced" ones, nearly every held client) share one queue per
 * event-loop turn and get one batch object, whose bytes their transports build once. Members
 * still reading history, or with entries of their own waiting, get each entry as before.
 *
 * Synced members stand at the same place in what this process has dispatched (each has been
 * handed everything matching up to now, and their epoch is the group's), so one queue serves
 * them all; a member leaves the queue (taking what it holds for it) before it does anything
 * that would break that: reading history again, changing channels, ending with more than a
 * batch queued for it.
 */
/**
 * A group's members of one kind: one alone (the usual case for a channel of one user's) without
 * a set, several in one.
 */
type Members = Set<Subscriber> | Subscriber | undefined;

const countOf = (members: Members): number => (members instanceof Set ? members.size : members ? 1 : 0);
const has = (members: Members, subscriber: Subscriber): boolean => members === subscriber || (members instanceof Set && members.has(subscriber));
const listOf = (members: Members): Subscriber[] => (members instanceof Set ? [...members] : members ? [members] : []);

function withMember(members: Members, subscriber: Subscriber): Members {
  if (!members) return subscriber;
  if (members instanceof Set) return members.add(subscriber);
  return members === subscriber ? members : new Set([members, subscriber]);
}

function withoutMember(members: Members, subscriber: Subscriber): Members {
  if (members === subscriber) return undefined;
  if (members instanceof Set && members.delete(subscriber) && members.size === 1) return members.values().next().value;
  return members;
}

export class SubscriberGroup {
  /** Live members with nothing pending of their own: they take the group's queue. */
  private synced: Members;
  /** Members that take each entry themselves (reading history, or with entries of their own waiting). */
  private others: Members;
  /** Entries of this turn for the synced members, oldest first. */
  private turn: LogEntry[] | undefined;
  /** The epoch of the synced members. */
  private epoch = '';
  /** The entry queued last: two patterns of the list matching one entry queue it once. */
  private lastEntry: LogEntry | undefined;

  constructor(
    readonly key: string,
    readonly channels: readonly ParsedChannel[],
    private readonly host: GroupHost,
  ) {}

  get size(): number {
    return countOf(this.synced) + countOf(this.others);
  }

  add(subscriber: Subscriber): void {
    this.others = withMember(this.others, subscriber);
  }

  /** Takes a member out (it ended, or moved to other channels), with nothing left for it. */
  remove(subscriber: Subscriber): void {
    if (!this.dropSynced(subscriber)) this.others = withoutMember(this.others, subscriber);
  }

  /** A dispatched entry on one of the group's channels (may come twice through two patterns). */
  push(entry: LogEntry): void {
    if (entry === this.lastEntry) return;
    this.lastEntry = entry;
    const { others } = this;
    if (others instanceof Set) for (const subscriber of others) subscriber.push(entry);
    else others?.push(entry);
    if (!this.synced) return;
    if (entry.epoch !== this.epoch) {
      // A new log: each member learns it its own way (it ends with `reset`).
      const members = listOf(this.synced);
      for (const subscriber of members) this.unsync(subscriber);
      for (const subscriber of members) subscriber.push(entry);
      return;
    }
    if (this.turn) this.turn.push(entry);
    else {
      this.turn = [entry];
      this.host.markDirty(this);
    }
  }

  /** A member that is live and has nothing pending joins the shared queue (if it can). */
  sync(subscriber: Subscriber): void {
    if (this.host.partitions > 1 || subscriber.synced || subscriber.isClosed || !has(this.others, subscriber)) return;
    if (!this.synced) this.epoch = subscriber.epoch;
    else if (subscriber.epoch !== this.epoch) return;
    this.others = withoutMember(this.others, subscriber);
    this.synced = withMember(this.synced, subscriber);
    subscriber.synced = true;
  }

  /**
   * A member leaves the shared queue: what the queue holds for it becomes its own pending
   * entries, and from now on it gets each entry.
   */
  unsync(subscriber: Subscriber): void {
    const { turn } = this;
    if (!this.dropSynced(subscriber)) return;
    this.add(subscriber);
    if (turn) for (const entry of turn) if (entry.position > subscriber.position) subscriber.push(entry);
  }

  /** Whether the queue holds anything a synced member at `position` has not been handed yet. */
  hasQueuedAfter(position: number): boolean {
    const { turn } = this;
    return turn !== undefined && turn[turn.length - 1]!.position > position;
  }

  /** What the queue holds that a synced member at `position` has not been handed yet. */
  queuedAfter(position: number): LogEntry[] {
    const { turn } = this;
    if (!turn || !this.hasQueuedAfter(position)) return [];
    return turn[0]!.position > position ? turn.slice() : turn.filter((entry) => entry.position > position);
  }

  /**
   * Hands this turn's entries to every synced member: one batch object for all, of at most
   * `batchLimit` entries (the rest wait for the next turn, as a subscriber's own entries do).
   */
  flush(): void {
    const entries = this.turn;
    const { synced } = this;
    if (!entries || !synced) {
      this.turn = undefined;
      return;
    }
    let taken = entries;
    if (entries.length > this.host.batchLimit) {
      taken = entries.slice(0, this.host.batchLimit);
      this.turn = entries.slice(this.host.batchLimit);
      this.host.markDirty(this);
    } else this.turn = undefined;
    const batch: Batch = { entries: taken, cursor: taken[taken.length - 1]!.cursor };
    if (synced instanceof Set) for (const subscriber of synced) subscriber.takeShared(batch);
    else synced.takeShared(batch);
  }

  /** Takes a synced member out of the queue; false when it was not one. */
  private dropSynced(subscriber: Subscriber): boolean {
    if (!has(this.synced, subscriber)) return false;
    this.synced = withoutMember(this.synced, subscriber);
    subscriber.synced = false;
    if (!this.synced) this.turn = undefined;
    return true;
  }
}
