import type { FlushSchedule } from './flush-schedule';
import type { GroupRegistry } from './group-registry';
import type { DispatchHead } from './log-position';
import type { EndReason } from './types';

/**
 * What a subscriber needs from the engine that owns it: one object per engine, shared by every
 * subscriber (nothing per subscriber but the reference). `S` is the subscriber class, a parameter
 * so that this file need not import the class that uses it.
 */
export interface SubscriberServices<S> {
  readonly batchLimit: number;
  /** Most bytes of JSON in one batch (see `batchSize`). */
  readonly maxBatchBytes: number;
  /** The log's partition count: above 1, positions are kept one per partition. */
  readonly partitions: number;
  /** Where this process's dispatch stands: a caught-up subscriber's cursor is raised to it. */
  readonly head: DispatchHead;
  /** When live entries go out. */
  readonly flushes: FlushSchedule;
  /** The groups of one channel list each, and the index that matches entries to them. */
  readonly groups: GroupRegistry;
  /** (Re)starts the history read from where the subscriber stands. */
  read(subscriber: S): void;
  /** Takes the subscriber out of the engine's set, its lifetime queue, the flush and the counts. */
  release(subscriber: S, reason: EndReason): void;
  /** Counts handed-over entries and gaps. */
  delivered(count: number, gap: boolean): void;
}
