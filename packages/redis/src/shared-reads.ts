import type { GapReason, LogEntry } from '@cometkit/core/kit';
import { fromStream } from './entries';
import type { LogStore } from './log-store';

/** One page of history from Redis, as entries. */
export interface HistoryPage {
  epoch: string;
  /** The last position assigned in Redis when the page was read. */
  seq: number;
  gap: GapReason | undefined;
  /** The position the page starts after (the cursor's, or where history now begins). */
  after: number;
  /** Consecutive entries from `after + 1`, at most the count asked for. */
  entries: LogEntry[];
}

interface InFlight {
  epoch: string;
  after: number;
  count: number;
  page: Promise<HistoryPage>;
}

/**
 * History reads from Redis, shared: a read whose start falls inside the range of one already on
 * its way takes its tail instead of asking Redis again. Pollers that fell behind together (a burst
 * published while they re-polled, a reconnect storm after a deploy) come back with cursors a few
 * entries apart; one read each made Redis, the link and the parser carry the same entries once
 * per poller, long enough under load for reads to time out (503). The entries of one read are
 * also one set of objects, so the frames and bodies cached on them are shared by its readers.
 */
export function createSharedReads(range: LogStore['range']): (epoch: string, after: number, count: number) => Promise<HistoryPage> {
  const inFlight = new Set<InFlight>();

  async function fresh(epoch: string, after: number, count: number): Promise<HistoryPage> {
    const read = await range(epoch, after, count);
    return { epoch: read.epoch, seq: read.seq, gap: read.gap, after: read.after, entries: read.entries.map((raw) => fromStream(read.epoch, raw)) };
  }

  function start(epoch: string, after: number, count: number): Promise<HistoryPage> {
    const read: InFlight = { epoch, after, count, page: fresh(epoch, after, count) };
    inFlight.add(read);
    const done = (): void => void inFlight.delete(read);
    read.page.then(done, done);
    return read.page;
  }

  return async (epoch, after, count) => {
    let covering: InFlight | undefined;
    for (const read of inFlight) {
      if (read.epoch === epoch && read.after <= after && after < read.after + read.count) covering = read;
    }
    if (!covering) return start(epoch, after, count);
    const page = await covering.page;
    const tail = tailOf(page, epoch, after, count);
    return tail ?? start(epoch, after, count);
  };
}

/** The part of `page` after `after`, when it is exactly what a read from there would get; else undefined. */
function tailOf(page: HistoryPage, epoch: string, after: number, count: number): HistoryPage | undefined {
  if (page.epoch !== epoch || page.gap || page.after > after) return undefined;
  const skip = after - page.after;
  const entries = page.entries;
  // Entries are consecutive from page.after + 1; the tail must start right after the cursor.
  if (skip >= entries.length || entries[skip]!.position !== after + 1) return undefined;
  return { ...page, after, entries: entries.slice(skip, skip + count) };
}
