import { newEpoch, type GapReason } from '@cometkit/core/kit';
import type { Link } from './connections';
import { createAppendBatcher, type Appended } from './append-batcher';
import type { StreamEntry } from './entries';
import type { ResolvedRedisOptions } from './options';
import { scripts } from './scripts';

/** One range read of the log, as the read script answers it. */
export interface RangeRead {
  epoch: string;
  /** The last position assigned in Redis. */
  seq: number;
  gap: GapReason | undefined;
  /** The position the range starts after (the cursor's, or where history now begins). */
  after: number;
  entries: StreamEntry[];
}

/** The log's operations, each one atomic script on the command connection. */
export interface LogStore {
  /** Appends one entry; the publishes of one event-loop turn go to Redis together (one script call). */
  append(channel: string, payload: string): Promise<Appended>;
  range(epoch: string, after: number, count: number): Promise<RangeRead>;
  state(): Promise<{ epoch: string; seq: number }>;
  /** Replaces the epoch if it is still `seen`; resolves with the epoch now in force. */
  renew(seen: string): Promise<string>;
}

/** The {@link LogStore} of one log (its keys) over one connection. */
export function createLogStore(redis: Link, options: ResolvedRedisOptions): LogStore {
  const { epoch, seq, log, feed } = options.keys;
  const keys = [epoch, seq, log] as const;
  const publish = options.sharded ? scripts.spublish : scripts.publish;
  return {
    append: createAppendBatcher(
      async (entries) => {
        const args: (string | number)[] = [newEpoch(), options.maxCount, options.maxAgeMs, feed];
        for (const [channel, payload] of entries) args.push(channel, payload);
        const [e, first, time] = (await publish(redis, keys, args)) as [string, number, number];
        return { epoch: e, first, time };
      },
      { maxEntries: options.batchMaxEntries, maxBytes: options.batchMaxBytes },
    ),
    async range(cursorEpoch, after, count) {
      const args = [newEpoch(), options.maxAgeMs, cursorEpoch, after, count];
      const [e, last, gap, from, entries] = (await scripts.read(redis, keys, args)) as [string, number, string, string, StreamEntry[]];
      return { epoch: e, seq: last, gap: gap === '' ? undefined : (gap as GapReason), after: Number(from), entries };
    },
    async state() {
      const [e, last] = (await scripts.state(redis, keys, [newEpoch()])) as [string, number];
      return { epoch: e, seq: last };
    },
    async renew(seen) {
      return (await scripts.renew(redis, keys, [seen, newEpoch()])) as string;
    },
  };
}
