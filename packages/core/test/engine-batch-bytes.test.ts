import type { Engine } from '../src/engine/engine';
import type { Subscriber } from '../src/engine/subscriber';
import type { LogEntry } from '../src/log/broker';
import { parseCursor, type Cursor } from '../src/log/cursor';
import { isCometError } from '../src/errors';
import { channel, channels, engineWith, fakeRequest, recorder, settle, type Recorder } from './support/fakes';

/**
 * Finding 8 of issue 21: one batch (a poll, JSONP or Bayeux answer, a stream's write) is bounded
 * by bytes as well as by count, from history and live alike; the rest comes next from the
 * batch's cursor, nothing lost or repeated, and a batch always holds at least one message.
 */
describe('limits.maxBatchBytes', () => {
  const CAP = 1_000;
  const text = (i: number): string => `${i}`.padEnd(400, '.'); // about 450 bytes of JSON each: two fit
  const cursorOf = (text: string): Cursor => {
    const cursor = parseCursor(text);
    if (isCometError(cursor)) throw cursor;
    return cursor;
  };
  const subscribe = (engine: Engine, once: boolean, cursor?: string): { sub: Subscriber; rec: Recorder } => {
    const rec = recorder();
    const sub = engine.subscribe({
      transport: 'test',
      channels: channels('room'),
      cursor: cursor === undefined ? undefined : cursorOf(cursor),
      request: fakeRequest('GET', '/'),
      handlers: rec.handlers,
      lifetime: { ms: 1e9, reason: 'timeout' },
      once,
    }) as Subscriber;
    return { sub, rec };
  };
  const bytesOf = (entries: readonly LogEntry[]): number => entries.reduce((sum, e) => sum + e.json.length, 0);
  const expectCapped = (rec: Recorder): void => {
    for (const { entries } of rec.batches) if (entries.length > 1) expect(bytesOf(entries)).toBeLessThanOrEqual(CAP);
  };

  /** Polls once after another from `cursor`, as a client does, until a poll finds nothing new. */
  async function pollAll(engine: Engine, cursor: string): Promise<{ payloads: string[]; polls: Recorder[] }> {
    const payloads: string[] = [];
    const polls: Recorder[] = [];
    for (;;) {
      const { sub, rec } = subscribe(engine, true, cursor);
      await settle();
      polls.push(rec);
      if (rec.batches.length === 0) {
        sub.end('gone');
        return { payloads, polls };
      }
      expect(rec.batches).toHaveLength(1);
      payloads.push(...rec.entries().map((e) => JSON.parse(e.payload) as string));
      cursor = rec.ends[0]!.cursor;
      expect(cursor).toBe(rec.batches[0]!.cursor);
    }
  }

  it('cuts a poll of history before the message that would pass it; the next polls take the rest', async () => {
    const { engine } = engineWith({ limits: { maxBatchBytes: CAP } });
    const from = engine.head();
    const start = `${from.epoch}-${from.position}`;
    for (let i = 0; i < 9; i++) await engine.publish(channel('room'), text(i));
    const { payloads, polls } = await pollAll(engine, start);
    expect(payloads).toEqual(Array.from({ length: 9 }, (_, i) => text(i)));
    expect(polls.slice(0, -1).map((rec) => rec.entries().length)).toEqual([2, 2, 2, 2, 1]);
    for (const rec of polls) expectCapped(rec);
    await engine.close();
  });

  it('hands a message larger than the cap alone, so a client never stalls', async () => {
    const { engine } = engineWith({ limits: { maxBatchBytes: CAP } });
    const from = engine.head();
    await engine.publish(channel('room'), 'x'.repeat(3 * CAP));
    await engine.publish(channel('room'), 'small');
    const { payloads, polls } = await pollAll(engine, `${from.epoch}-${from.position}`);
    expect(payloads).toEqual(['x'.repeat(3 * CAP), 'small']);
    expect(polls.slice(0, -1).map((rec) => rec.entries().length)).toEqual([1, 1]);
    await engine.close();
  });

  it('cuts a live turn, its own queue and its group\'s shared one, into batches under the cap', async () => {
    const { engine } = engineWith({ limits: { maxBatchBytes: CAP } });
    const alone = subscribe(engine, false); // alone in its group at first: then shares with the next
    const other = subscribe(engine, false);
    await settle();
    for (let i = 0; i < 5; i++) void engine.publish(channel('room'), text(i));
    await settle(20);
    for (const { rec } of [alone, other]) {
      expect(rec.entries().map((e) => JSON.parse(e.payload) as string)).toEqual(Array.from({ length: 5 }, (_, i) => text(i)));
      expect(rec.batches.map((b) => b.entries.length)).toEqual([2, 2, 1]);
      expectCapped(rec);
    }
    await engine.close();
  });

  it('ends a live poll with one capped batch, its cursor where the next poll takes up', async () => {
    const { engine } = engineWith({ limits: { maxBatchBytes: CAP } });
    const poll = subscribe(engine, true);
    await settle();
    for (let i = 0; i < 5; i++) void engine.publish(channel('room'), text(i));
    await settle(20);
    expect(poll.rec.entries()).toHaveLength(2);
    expect(poll.rec.ends[0]!.reason).toBe('done');
    const rest = await pollAll(engine, poll.rec.ends[0]!.cursor);
    expect(rest.payloads).toEqual([text(2), text(3), text(4)]);
    await engine.close();
  });
});
