import type { LogEntry } from '@cometkit/core/kit';

/** The `onEntry` listeners of a Redis broker: each fed entry to every one, and the end of each fed batch. */
export interface FeedListeners {
  /** `Broker.onEntry`: adds the pair, returns the function that removes it. */
  add(listener: (entry: LogEntry) => void, onBatchEnd?: () => void): () => void;
  entry(entry: LogEntry): void;
  /** The entries fed since the last call were one feed message (or one page of a backfill). */
  batchEnd(): void;
  clear(): void;
}

export function createFeedListeners(): FeedListeners {
  const listeners = new Set<{ entry: (entry: LogEntry) => void; batchEnd: (() => void) | undefined }>();
  return {
    add(listener, onBatchEnd) {
      // A fresh object per call, so one listener added twice is stopped once per stop.
      const added = { entry: listener, batchEnd: onBatchEnd };
      listeners.add(added);
      return () => listeners.delete(added);
    },
    entry(entry) {
      for (const listener of listeners) listener.entry(entry);
    },
    batchEnd() {
      for (const listener of listeners) listener.batchEnd?.();
    },
    clear: () => listeners.clear(),
  };
}
