import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import type { Broker, LogEntry } from '../log/broker';
import type { Cursor } from '../log/cursor';
import { ChannelFilter } from '../log/channel-filter';
import { parseChannel, type ParsedChannel } from '../log/channel';
import { formatCursor } from '../log/cursor';
import { isCometError } from '../errors';

/** How the contract makes brokers of one kind. */
export interface BrokerHarness {
  /** A broker over a fresh, empty log that keeps at most `maxCount` entries (default: plenty). */
  create(history?: { maxCount?: number }): Broker | Promise<Broker>;
  /**
   * Makes the log lose its history (a restart without persistence, a flush) and returns a broker
   * over what is left. Omit when the kind cannot do it; that audit is then not run.
   */
  loseHistory?(broker: Broker): Broker | Promise<Broker>;
}

/** One rule every broker must keep. `run` throws (an AssertionError) when it does not. */
export interface BrokerAudit {
  readonly name: string;
  run(harness: BrokerHarness): Promise<void>;
}

const parsed = (name: string): ParsedChannel => {
  const channel = parseChannel(name, true);
  if (isCometError(channel)) throw channel;
  return channel;
};
const filterOf = (...names: string[]): ChannelFilter => new ChannelFilter(names.map(parsed));
const publish = (broker: Broker, name: string, data: unknown): Promise<LogEntry> => {
  const channel = parsed(name);
  return broker.publish(channel.name, channel.segments, JSON.stringify(data));
};
const dataOf = (entries: readonly LogEntry[]): unknown[] => entries.map((e) => JSON.parse(e.payload));

// A partitioned broker keeps each rule per partition; with one partition these are the plain rules.
/** The position of `partition` in a cursor (a one-partition log's only one is partition 0). */
const positionIn = (cursor: Cursor, partition: number): number => cursor.positions?.[partition] ?? cursor.position;
/** The cursor naming the place after `entry`, as its reader would send it back. */
const cursorAt = (entry: LogEntry): Cursor =>
  entry.positions ? { epoch: entry.epoch, position: entry.position, positions: entry.positions } : { epoch: entry.epoch, position: entry.position };
/** `cursor` moved `by` in `partition` (the only position of a one-partition cursor). */
function moved(cursor: Cursor, partition: number, by: number): Cursor {
  if (!cursor.positions) return { epoch: cursor.epoch, position: cursor.position + by };
  const positions = cursor.positions.slice();
  positions[partition] = positions[partition]! + by;
  return { epoch: cursor.epoch, position: cursor.position + by, positions };
}
/** The entries of each partition, in the order given. */
function byPartition(entries: readonly LogEntry[]): Map<number, LogEntry[]> {
  const groups = new Map<number, LogEntry[]>();
  for (const entry of entries) {
    let group = groups.get(entry.partition);
    if (!group) groups.set(entry.partition, (group = []));
    group.push(entry);
  }
  return groups;
}

/** Runs `body` with a broker from `harness`, closing it afterwards whatever happens. */
async function using(harness: BrokerHarness, history: { maxCount?: number } | undefined, body: (broker: Broker) => Promise<void>): Promise<void> {
  const broker = await harness.create(history);
  try {
    await body(broker);
  } finally {
    await broker.close();
  }
}

/** Waits until `listener`-collected `seen` holds `count` items, polling the event loop only. */
async function untilSeen(seen: readonly unknown[], count: number, what: string): Promise<void> {
  for (let turns = 0; seen.length < count; turns++) {
    if (turns > 100_000) throw new Error(`waited for ${count} ${what}, saw ${seen.length}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * The broker contract: what the engine relies on, as audits any broker must pass (memory, Redis,
 * one of yours). Run them with any test runner:
 *
 * ```ts
 * for (const audit of brokerAudits) it(audit.name, () => audit.run({ create: () => createMyBroker() }));
 * ```
 */
export const brokerAudits: readonly BrokerAudit[] = [
  {
    name: 'assigns consecutive positions from the head, in one epoch, with cursors that name them',
    run: (harness) =>
      using(harness, undefined, async (broker) => {
        const start = broker.head();
        const entries = await Promise.all(Array.from({ length: 20 }, (_, i) => publish(broker, `c/${i % 3}`, i)));
        for (const [partition, group] of byPartition(entries)) {
          const positions = group.map((e) => e.position).sort((a, b) => a - b);
          const first = positionIn(start, partition) + 1;
          deepStrictEqual(positions, Array.from({ length: group.length }, (_, i) => first + i));
        }
        for (const entry of entries) {
          strictEqual(entry.epoch, start.epoch);
          if (entry.positions) strictEqual(entry.positions[entry.partition], entry.position);
          strictEqual(entry.cursor, formatCursor(cursorAt(entry)));
          strictEqual(JSON.parse(entry.json).cursor, entry.cursor);
        }
      }),
  },
  {
    name: 'feeds every entry of every channel to every listener, in order, with consecutive positions',
    run: (harness) =>
      using(harness, undefined, async (broker) => {
        const first: LogEntry[] = [];
        const second: LogEntry[] = [];
        const stopFirst = broker.onEntry((e) => first.push(e));
        const stopSecond = broker.onEntry((e) => second.push(e));
        for (let i = 0; i < 30; i++) await publish(broker, i % 2 ? 'odd' : 'even/deep', i);
        await untilSeen(first, 30, 'entries');
        await untilSeen(second, 30, 'entries');
        if ((broker.partitions ?? 1) > 1) {
          // In log order per partition (so per channel); partitions have no order between them.
          deepStrictEqual((dataOf(first) as number[]).sort((a, b) => a - b), Array.from({ length: 30 }, (_, i) => i));
          for (const group of byPartition(first).values()) {
            const data = dataOf(group) as number[];
            deepStrictEqual(data, [...data].sort((a, b) => a - b));
          }
        } else {
          deepStrictEqual(dataOf(first), Array.from({ length: 30 }, (_, i) => i));
        }
        deepStrictEqual(second.map((e) => `${e.partition}:${e.position}`), first.map((e) => `${e.partition}:${e.position}`));
        for (const group of byPartition(first).values()) {
          for (let i = 1; i < group.length; i++) strictEqual(group[i]!.position, group[i - 1]!.position + 1);
        }
        stopFirst();
        await publish(broker, 'odd', 'after stop');
        await untilSeen(second, 31, 'entries');
        strictEqual(first.length, 30);
        stopSecond();
      }),
  },
  {
    name: 'head() is the last entry dispatched, and "from now" reads nothing from there',
    run: (harness) =>
      using(harness, undefined, async (broker) => {
        const seen: LogEntry[] = [];
        const stop = broker.onEntry((e) => seen.push(e));
        await publish(broker, 'a', 1);
        const last = await publish(broker, 'a', 2);
        await untilSeen(seen, 2, 'entries');
        const head = broker.head();
        if (head.positions) {
          deepStrictEqual([head.epoch, head.positions[last.partition]], [last.epoch, last.position]);
        } else {
          deepStrictEqual(head, { epoch: last.epoch, position: last.position });
        }
        const now = await broker.read(undefined, filterOf('a'), 10);
        deepStrictEqual([now.entries.length, now.position, now.positions, now.gap], [0, head.position, head.positions, undefined]);
        stop();
      }),
  },
  {
    name: 'reads what matches after a cursor, in order, in pages that neither skip nor repeat',
    run: (harness) =>
      using(harness, undefined, async (broker) => {
        const from = broker.head();
        const fed: LogEntry[] = [];
        const stop = broker.onEntry((e) => fed.push(e));
        for (let i = 0; i < 25; i++) await publish(broker, ['room/a', 'room/b/deep', 'other'][i % 3]!, i);
        const filter = filterOf('room/*', 'room/**');
        const got: LogEntry[] = [];
        let cursor = from;
        for (let pages = 0; pages < 50; pages++) {
          const page = await broker.read(cursor, filter, 4);
          ok(page.entries.length <= 4, 'a page holds at most the limit');
          strictEqual(page.gap, undefined);
          got.push(...page.entries);
          cursor = page.positions ? { epoch: page.epoch, position: page.position, positions: page.positions } : { epoch: page.epoch, position: page.position };
          if (!page.more) break;
        }
        deepStrictEqual(dataOf(got), Array.from({ length: 25 }, (_, i) => i).filter((i) => i % 3 !== 2));
        // Once the feed has dispatched them all (a remote log's feed may trail its reads), the reader is at the head.
        await untilSeen(fed, 25, 'entries');
        strictEqual(cursor.position, broker.head().position);
        stop();
      }),
  },
  {
    name: 'a cursor ahead of the head, in the same epoch, is not a gap: it waits for what comes after it',
    run: (harness) =>
      using(harness, undefined, async (broker) => {
        await publish(broker, 'a', 1);
        const head = broker.head();
        const ahead = await broker.read(
          head.positions ? { ...head, positions: head.positions.map((p) => p + 5) } : { epoch: head.epoch, position: head.position + 5 },
          filterOf('a'),
          10,
        );
        strictEqual(ahead.gap, undefined);
        deepStrictEqual(ahead.entries, []);
        ok(ahead.position >= head.position, 'the reader does not move back');
      }),
  },
  {
    name: 'a cursor from another epoch gets the "epoch" gap, then what history holds',
    run: (harness) =>
      using(harness, undefined, async (broker) => {
        await publish(broker, 'a', 'kept');
        const result = await broker.read({ epoch: 'another0', position: 3 }, filterOf('a'), 10);
        strictEqual(result.gap, 'epoch');
        deepStrictEqual(dataOf(result.entries), ['kept']);
      }),
  },
  {
    name: 'a cursor older than history gets the "expired" gap, then the oldest entries kept',
    run: (harness) =>
      using(harness, { maxCount: 5 }, async (broker) => {
        const from = broker.head();
        let last: LogEntry | undefined;
        for (let i = 0; i < 12; i++) last = await publish(broker, 'g', i);
        const result = await broker.read(from, filterOf('g'), 100);
        strictEqual(result.gap, 'expired');
        deepStrictEqual(dataOf(result.entries), [7, 8, 9, 10, 11]);
        const recent = await broker.read(moved(from, last!.partition, 9), filterOf('g'), 100);
        strictEqual(recent.gap, undefined);
        deepStrictEqual(dataOf(recent.entries), [9, 10, 11]);
      }),
  },
  {
    name: 'a read racing publishes, followed by the feed from its position, sees each entry once',
    run: (harness) =>
      using(harness, undefined, async (broker) => {
        const from = broker.head();
        const fed: LogEntry[] = [];
        const stop = broker.onEntry((e) => fed.push(e));
        for (let i = 0; i < 10; i++) await publish(broker, 'r', i);
        const reading = broker.read(from, filterOf('r'), 1_000);
        const racing = Promise.all(Array.from({ length: 10 }, (_, i) => publish(broker, 'r', 10 + i)));
        const read = await reading;
        await racing;
        await untilSeen(fed, 20, 'entries');
        const after = fed.filter((e) => e.epoch === read.epoch && e.position > positionIn(read, e.partition));
        deepStrictEqual(dataOf([...read.entries, ...after]), Array.from({ length: 20 }, (_, i) => i));
        stop();
      }),
  },
  {
    name: 'a log that lost its history has a new epoch, and old cursors get the "epoch" gap',
    async run(harness) {
      if (!harness.loseHistory) return;
      const broker = await harness.create();
      let current = broker;
      try {
        const old = await publish(broker, 'a', 'old');
        current = await harness.loseHistory(broker);
        await publish(current, 'a', 'new');
        ok(current.head().epoch !== old.epoch, 'the epoch changed');
        const result = await current.read(cursorAt(old), filterOf('a'), 10);
        strictEqual(result.gap, 'epoch');
        deepStrictEqual(dataOf(result.entries), ['new']);
      } finally {
        await current.close();
        if (current !== broker) await broker.close();
      }
    },
  },
  {
    name: 'close() stops the feed',
    run: async (harness) => {
      const broker = await harness.create();
      const fed: LogEntry[] = [];
      broker.onEntry((e) => fed.push(e));
      await publish(broker, 'a', 1);
      await untilSeen(fed, 1, 'entries');
      await broker.close();
      strictEqual(fed.length, 1);
    },
  },
];
