import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import type { Broker, LogEntry } from '../broker';
import { ChannelFilter } from '../channel-filter';
import { parseChannel, type ParsedChannel } from '../channel';
import { formatCursor } from '../cursor';
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
        const positions = entries.map((e) => e.position).sort((a, b) => a - b);
        deepStrictEqual(positions, Array.from({ length: 20 }, (_, i) => start.position + 1 + i));
        for (const entry of entries) {
          strictEqual(entry.epoch, start.epoch);
          strictEqual(entry.cursor, formatCursor(entry));
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
        deepStrictEqual(dataOf(first), Array.from({ length: 30 }, (_, i) => i));
        deepStrictEqual(second.map((e) => e.position), first.map((e) => e.position));
        for (let i = 1; i < first.length; i++) strictEqual(first[i]!.position, first[i - 1]!.position + 1);
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
        deepStrictEqual(broker.head(), { epoch: last.epoch, position: last.position });
        const now = await broker.read(undefined, filterOf('a'), 10);
        deepStrictEqual([now.entries.length, now.position, now.gap], [0, last.position, undefined]);
        stop();
      }),
  },
  {
    name: 'reads what matches after a cursor, in order, in pages that neither skip nor repeat',
    run: (harness) =>
      using(harness, undefined, async (broker) => {
        const from = broker.head();
        for (let i = 0; i < 25; i++) await publish(broker, ['room/a', 'room/b/deep', 'other'][i % 3]!, i);
        const filter = filterOf('room/*', 'room/**');
        const got: LogEntry[] = [];
        let cursor = from;
        for (let pages = 0; pages < 50; pages++) {
          const page = await broker.read(cursor, filter, 4);
          ok(page.entries.length <= 4, 'a page holds at most the limit');
          strictEqual(page.gap, undefined);
          got.push(...page.entries);
          cursor = { epoch: page.epoch, position: page.position };
          if (!page.more) break;
        }
        deepStrictEqual(dataOf(got), Array.from({ length: 25 }, (_, i) => i).filter((i) => i % 3 !== 2));
        strictEqual(cursor.position, broker.head().position);
      }),
  },
  {
    name: 'a cursor ahead of the head, in the same epoch, is not a gap: it waits for what comes after it',
    run: (harness) =>
      using(harness, undefined, async (broker) => {
        await publish(broker, 'a', 1);
        const { epoch, position } = broker.head();
        const ahead = await broker.read({ epoch, position: position + 5 }, filterOf('a'), 10);
        strictEqual(ahead.gap, undefined);
        deepStrictEqual(ahead.entries, []);
        ok(ahead.position >= position, 'the reader does not move back');
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
        for (let i = 0; i < 12; i++) await publish(broker, 'g', i);
        const result = await broker.read(from, filterOf('g'), 100);
        strictEqual(result.gap, 'expired');
        deepStrictEqual(dataOf(result.entries), [7, 8, 9, 10, 11]);
        const recent = await broker.read({ epoch: from.epoch, position: from.position + 9 }, filterOf('g'), 100);
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
        const after = fed.filter((e) => e.epoch === read.epoch && e.position > read.position);
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
        const result = await current.read({ epoch: old.epoch, position: old.position }, filterOf('a'), 10);
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
