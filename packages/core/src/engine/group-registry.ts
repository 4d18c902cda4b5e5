import type { ParsedChannel } from '../log/channel';
import { groupKey, SubscriberGroup, type GroupMember, type GroupSettings } from './subscriber-group';
import type { SubscriptionIndex } from './subscription-index';

/** How many groups left empty are kept (indexed) for a subscriber of their channel list to come back. */
export const MAX_EMPTY_GROUPS = 1_000;

/**
 * How many bytes the groups left empty may hold between them (4 MiB, counted as
 * {@link footprintOf} estimates: their names and index entries). Their lists come from clients: a
 * count alone let 1,000 lists of 32 long channels each keep 92 MiB of heap with no connection open.
 * A usual group (a channel or two of a few segments) costs about a kilobyte: 1,000 of them fit.
 */
export const MAX_EMPTY_GROUP_BYTES = 4 * 1024 * 1024;

/**
 * The groups of subscribers, one per channel list, and their place in the subscription index:
 * an entry is matched once per group, not once per subscriber.
 *
 * Groups left empty are kept (at most {@link MAX_EMPTY_GROUPS} of them, holding at most
 * {@link MAX_EMPTY_GROUP_BYTES}, oldest dropped first): a long-poll client polls
 * again right after each answer, often when no one else holds its list, and would otherwise make
 * (and index) its group anew every cycle.
 */
export class GroupRegistry {
  private readonly groups = new Map<string, SubscriberGroup>();
  /** Groups left empty, oldest first. */
  private readonly emptied = new Set<SubscriberGroup>();
  /** The footprint of the groups in `emptied`. */
  private emptiedBytes = 0;

  constructor(
    private readonly index: SubscriptionIndex<SubscriberGroup>,
    private readonly settings: GroupSettings,
  ) {}

  /** The bytes the groups kept empty hold between them (their footprints). */
  get emptyBytes(): number {
    return this.emptiedBytes;
  }

  /** `member` joins the group of `channels` (made, and indexed, for the first one); returns it. */
  join(member: GroupMember, channels: readonly ParsedChannel[]): SubscriberGroup {
    const key = groupKey(channels);
    let group = this.groups.get(key);
    if (!group) {
      this.groups.set(key, (group = new SubscriberGroup(key, channels, this.settings)));
      for (const channel of channels) this.index.add(channel.segments, group);
    }
    if (this.emptied.delete(group)) this.emptiedBytes -= group.footprint;
    group.add(member);
    return group;
  }

  /** `member` leaves `group`; a group left empty is kept for a while (see the class). */
  leave(member: GroupMember, group: SubscriberGroup): void {
    group.remove(member);
    if (group.size > 0 || this.emptied.has(group)) return;
    this.emptied.add(group);
    this.emptiedBytes += group.footprint;
    while (this.emptied.size > MAX_EMPTY_GROUPS || this.emptiedBytes > MAX_EMPTY_GROUP_BYTES) {
      const oldest = this.emptied.values().next().value!;
      this.emptied.delete(oldest);
      this.emptiedBytes -= oldest.footprint;
      this.drop(oldest);
    }
  }

  /** Drops every group kept empty (the engine closes). */
  dropEmpty(): void {
    for (const group of this.emptied) this.drop(group);
    this.emptied.clear();
    this.emptiedBytes = 0;
  }

  private drop(group: SubscriberGroup): void {
    this.groups.delete(group.key);
    this.settings.flushes.forget(group);
    for (const channel of group.channels) this.index.remove(channel.segments, group);
  }
}
