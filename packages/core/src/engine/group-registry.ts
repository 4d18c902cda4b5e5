import type { ParsedChannel } from '../log/channel';
import { groupKey, SubscriberGroup, type GroupMember, type GroupSettings } from './subscriber-group';
import type { SubscriptionIndex } from './subscription-index';

/** How many groups left empty are kept (indexed) for a subscriber of their channel list to come back. */
export const MAX_EMPTY_GROUPS = 1_000;

/**
 * How many characters of channel names the groups left empty may hold between them (1 MiB). Their
 * lists come from clients: a count alone let 1,000 lists of 32 long names each stay on the heap
 * (with their index entries: about ten times the names) with no connection open.
 */
export const MAX_EMPTY_GROUP_BYTES = 1024 * 1024;

/**
 * The groups of subscribers, one per channel list, and their place in the subscription index:
 * an entry is matched once per group, not once per subscriber.
 *
 * Groups left empty are kept (at most {@link MAX_EMPTY_GROUPS} of them, holding at most
 * {@link MAX_EMPTY_GROUP_BYTES} of channel names, oldest dropped first): a long-poll client polls
 * again right after each answer, often when no one else holds its list, and would otherwise make
 * (and index) its group anew every cycle.
 */
export class GroupRegistry {
  private readonly groups = new Map<string, SubscriberGroup>();
  /** Groups left empty, oldest first. */
  private readonly emptied = new Set<SubscriberGroup>();
  /** The channel-name characters of the groups in `emptied` (a group's key is its names, joined). */
  private emptiedBytes = 0;

  constructor(
    private readonly index: SubscriptionIndex<SubscriberGroup>,
    private readonly settings: GroupSettings,
  ) {}

  /** The channel-name characters the groups kept empty hold between them. */
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
    if (this.emptied.delete(group)) this.emptiedBytes -= group.key.length;
    group.add(member);
    return group;
  }

  /** `member` leaves `group`; a group left empty is kept for a while (see the class). */
  leave(member: GroupMember, group: SubscriberGroup): void {
    group.remove(member);
    if (group.size > 0 || this.emptied.has(group)) return;
    this.emptied.add(group);
    this.emptiedBytes += group.key.length;
    // The key's length stands for its names (a string's length, known: nothing is counted anew).
    while (this.emptied.size > MAX_EMPTY_GROUPS || this.emptiedBytes > MAX_EMPTY_GROUP_BYTES) {
      const oldest = this.emptied.values().next().value!;
      this.emptied.delete(oldest);
      this.emptiedBytes -= oldest.key.length;
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
