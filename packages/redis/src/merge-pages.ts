import { createLogEntry, type ChannelFilter, type GapReason, type LogEntry } from '@cometkit/core/kit';
import type { HistoryPage } from './shared-reads';

/** The gap of a read: `epoch` when any partition's log was replaced, else `expired` when any lost history. */
export function gapOf(pages: readonly HistoryPage[]): GapReason | undefined {
  if (pages.some((page) => page.gap === 'epoch')) return 'epoch';
  return pages.some((page) => page.gap === 'expired') ? 'expired' : undefined;
}

/**
 * Interleaves the pages of partitions `touched` by publish time (the order across partitions is
 * free; each partition's own is kept), moving `positions` past every entry taken, matching or
 * not, and giving each matching entry the cursor its reader has reached with it (of `epoch`, the
 * log's). Stops at `limit`; `more` when a page has entries left or its partition has more than it.
 */
export function mergePages(
  epoch: string,
  touched: readonly number[],
  pages: readonly HistoryPage[],
  positions: number[],
  filter: ChannelFilter,
  limit: number,
): { entries: LogEntry[]; more: boolean } {
  const lists = pages.map((page) => page.entries);
  const next = lists.map(() => 0);
  const entries: LogEntry[] = [];
  while (entries.length < limit) {
    let pick = -1;
    for (let i = 0; i < lists.length; i++) {
      const candidate = lists[i]![next[i]!];
      if (candidate && (pick < 0 || candidate.time < lists[pick]![next[pick]!]!.time)) pick = i;
    }
    if (pick < 0) break;
    const taken = lists[pick]![next[pick]!++]!;
    const index = touched[pick]!;
    positions[index] = taken.position;
    if (filter.matches(taken.channel, taken.segments)) {
      entries.push(createLogEntry(epoch, taken.position, taken.channel, taken.segments, taken.payload, taken.time, index, positions.slice()));
    }
  }
  const more = lists.some((list, i) => next[i]! < list.length || positions[touched[i]!]! < pages[i]!.seq);
  return { entries, more };
}
