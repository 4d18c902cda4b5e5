import { createLogEntry, type LogEntry, type ReadResult } from '@cometkit/core/kit';
import type { LogLayout } from './log-layout';
import type { Partition } from './partition';

/**
 * The log of one partition: a cursor is one position, entries are read and fed as they are (one
 * object per entry, whoever reads it, so the frames cached on it are shared by its readers).
 */
export function createOneLog(part: Partition): LogLayout {
  return {
    partitionOf: () => 0,

    fed: (entry) => entry,

    published: (_index, appended, channel, segments, payload) =>
      createLogEntry(appended.epoch, appended.position, channel, segments, payload, appended.time),

    head: () => part.feed.head(),

    async read(cursor, filter, limit): Promise<ReadResult> {
      if (!cursor) {
        const { epoch, position } = part.feed.head();
        return { epoch, entries: [], position, more: false };
      }
      // Near the head (a poller back with the cursor it was just given): from memory, no Redis.
      const recent = part.near(cursor.epoch, cursor.position) ?? (await part.nearOnceFed(cursor.epoch, cursor.position));
      if (recent) return recent.read(cursor.position, filter, limit);
      const page = await part.history(cursor.epoch, cursor.position, limit);
      const entries: LogEntry[] = [];
      let position = page.after;
      for (const entry of page.entries) {
        position = entry.position;
        if (filter.matches(entry.channel, entry.segments)) entries.push(entry);
      }
      const result = { epoch: page.epoch, entries, position, more: position < page.seq };
      return page.gap ? { ...result, gap: page.gap } : result;
    },
  };
}
