/** Where one entry of a batch landed. */
export interface Appended {
  epoch: string;
  position: number;
  time: number;
}

/** What one script call that appends a whole batch answers: the first of its consecutive positions. */
export interface BatchAppended {
  epoch: string;
  first: number;
  time: number;
}

/** Appends `[channel, payload]` pairs in one atomic step (one script call). */
export type AppendBatch = (entries: readonly (readonly [string, string])[]) => Promise<BatchAppended>;

/** Bounds of one batch: a script call must stay short, since Redis runs nothing else meanwhile. */
export interface BatchLimits {
  maxEntries: number;
  maxBytes: number;
}

interface Pending {
  entries: [string, string][];
  settle: { resolve(appended: Appended): void; reject(error: unknown): void }[];
  bytes: number;
  scheduled: boolean;
}

/**
 * Gathers publishes into one script call: one round trip and one PUBLISH for many entries, which
 * is what lets one Redis take far more publishes per second than one call each. A publish while
 * no call is in flight goes at once (no added latency when publishes are few); while one is, the
 * publishes of the event-loop turn go together at its end. The batch is still one atomic, consecutive range of positions, in call order,
 * and each caller gets its own entry's place (or the batch's failure: then none of it is known
 * to be in the log, as for a single failed publish).
 */
export function createAppendBatcher(run: AppendBatch, limits: BatchLimits): (channel: string, payload: string) => Promise<Appended> {
  let pending: Pending | undefined;
  let inFlight = 0;

  function flush(): void {
    const batch = pending;
    if (!batch) return;
    pending = undefined;
    inFlight++;
    run(batch.entries).then(
      ({ epoch, first, time }) => {
        inFlight--;
        batch.settle.forEach((s, i) => s.resolve({ epoch, position: first + i, time }));
      },
      (error: unknown) => {
        inFlight--;
        batch.settle.forEach((s) => s.reject(error));
      },
    );
  }

  return (channel, payload) =>
    new Promise<Appended>((resolve, reject) => {
      const batch = (pending ??= { entries: [], settle: [], bytes: 0, scheduled: false });
      batch.entries.push([channel, payload]);
      batch.settle.push({ resolve, reject });
      batch.bytes += channel.length + payload.length;
      // A full batch goes now, and so does one when Redis is idle; a timer then finds nothing
      // (or the next batch) to send.
      if (inFlight === 0 || batch.entries.length >= limits.maxEntries || batch.bytes >= limits.maxBytes) flush();
      else if (!batch.scheduled) {
        batch.scheduled = true;
        setImmediate(flush);
      }
    });
}
