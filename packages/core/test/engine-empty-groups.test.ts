import { GroupRegistry, MAX_EMPTY_GROUP_BYTES } from '../src/engine/group-registry';
import { FlushSchedule } from '../src/engine/flush-schedule';
import { footprintOf, type GroupMember, type SubscriberGroup } from '../src/engine/subscriber-group';
import { SubscriptionIndex } from '../src/engine/subscription-index';
import { channel } from './support/fakes';

/**
 * Finding 9 of issue 21: the channel lists of groups left empty come from clients, so what the
 * engine keeps of them is bounded by their size (names and index entries), not only by their count.
 */
describe('groups left empty', () => {
  const member = (): GroupMember => ({
    epoch: 'e',
    position: 0,
    isClosed: false,
    push: () => undefined,
    takeShared: () => undefined,
    stopSharing: () => undefined,
    flush: () => undefined,
  });
  const registryOf = (): { registry: GroupRegistry; index: SubscriptionIndex<SubscriberGroup> } => {
    const index = new SubscriptionIndex<SubscriberGroup>();
    return { registry: new GroupRegistry(index, { batchLimit: 1_000, maxBatchBytes: 1 << 20, canShare: true, flushes: new FlushSchedule() }), index };
  };
  // 32 channels of 200 characters (the longest name): one poll's list, 6,400 characters of names.
  const longList = (poll: number) => Array.from({ length: 32 }, (_, i) => channel(`p/${String(poll).padStart(4, '0')}/${String(i).padStart(2, '0')}/${'x'.repeat(200 - 16)}`));

  it(`hold at most ${MAX_EMPTY_GROUP_BYTES} bytes between them, the oldest dropped first`, () => {
    const { registry, index } = registryOf();
    const lists = Array.from({ length: 600 }, (_, poll) => longList(poll));
    const bytes = footprintOf(lists[0]!);
    expect(bytes).toBeGreaterThan(32 * 200);
    for (const list of lists) {
      const m = member();
      registry.leave(m, registry.join(m, list)); // one answered poll: its group is left empty
    }
    const kept = Math.floor(MAX_EMPTY_GROUP_BYTES / bytes);
    expect(registry.emptyBytes).toBeLessThanOrEqual(MAX_EMPTY_GROUP_BYTES);
    expect(index.size).toBe(kept * 32);
    // The newest are the ones kept: the last list comes back to its group, indexed already.
    const m = member();
    const size = index.size;
    registry.join(m, lists[599]!);
    expect(index.size).toBe(size);
    registry.join(m, lists[0]!); // the oldest was dropped: made and indexed anew
    expect(index.size).toBe(size + 32);
    registry.dropEmpty();
    expect(registry.emptyBytes).toBe(0);
  });

  it('count a group once however often it is left, and uncount it when it is joined again', () => {
    const { registry } = registryOf();
    const [a, b] = [member(), member()];
    const group = registry.join(a, longList(1));
    registry.join(b, longList(1));
    registry.leave(a, group);
    expect(registry.emptyBytes).toBe(0);
    registry.leave(b, group);
    registry.leave(b, group);
    expect(registry.emptyBytes).toBe(group.footprint);
    registry.join(a, longList(1));
    expect(registry.emptyBytes).toBe(0);
  });
});
