import type { LogEntry } from '../src/log/broker';
import { createMemoryBroker } from '../src/log/memory-broker';
import { channels, engineWith, fakeRequest, recorder, settle, turn, wrapBroker } from './support/fakes';

/**
 * A broker whose feed the test drives: entries made by a memory broker the engine does not
 * listen to, fed (with or without the end of their batch) when the test says.
 */
function drivenFeed(): { broker: ReturnType<typeof wrapBroker>; make(value: number): Promise<LogEntry>; feed(entries: LogEntry[], batchEnd: boolean): void } {
  const inner = createMemoryBroker();
  let listener: ((entry: LogEntry) => void) | undefined;
  let onBatchEnd: (() => void) | undefined;
  const broker = wrapBroker(inner, {
    onEntry(entry, batchEnd) {
      listener = entry;
      onBatchEnd = batchEnd;
      return () => (listener = undefined);
    },
  });
  return {
    broker,
    make: (value) => inner.publish('a', ['a'], JSON.stringify(value)),
    feed(entries, batchEnd) {
      for (const entry of entries) listener!(entry);
      if (batchEnd) onBatchEnd!();
    },
  };
}

/** Feeds `entries` in a timer callback (as a socket's data comes) and says what the subscriber had once that callback's microtasks ran. */
const fedInCallback = (driven: ReturnType<typeof drivenFeed>, entries: LogEntry[], batchEnd: boolean, seen: ReturnType<typeof recorder>): Promise<number[]> =>
  new Promise((resolve) =>
    setTimeout(() => {
      driven.feed(entries, batchEnd);
      queueMicrotask(() => resolve(seen.entries().map((e) => e.position)));
    }, 0),
  );

it('hands a batch the broker fed whole over once the callback that brought it returns, not at the end of the turn', async () => {
  const driven = drivenFeed();
  const { engine } = engineWith({}, driven.broker);
  const seen = recorder();
  engine.subscribe({ transport: 't', channels: channels('a'), request: fakeRequest('GET', '/'), handlers: seen.handlers, lifetime: { ms: 1e9, reason: 'timeout' } });
  await settle();
  const [one, two, three] = [await driven.make(1), await driven.make(2), await driven.make(3)];

  // Without the end of its batch, an entry waits for the end of the turn, as a publish's does.
  expect(await fedInCallback(driven, [one!], false, seen)).toEqual([]);
  await turn();
  expect(seen.entries().map((e) => e.position)).toEqual([1]);

  // With it, the two go out before anything else of the turn, as one batch.
  expect(await fedInCallback(driven, [two!, three!], true, seen)).toEqual([1, 2, 3]);
  expect(seen.batches.map((b) => b.entries.length)).toEqual([1, 2]);
  await turn();
  expect(seen.batches).toHaveLength(2);
  await engine.close();
});
