import fc from 'fast-check';
import { parseChannel, type ParsedChannel } from '@cometkit/core';
import { ChannelFilter, createLogEntry, EntryRing, type LogEntry } from '@cometkit/core/kit';

const filterOf = (name: string): ChannelFilter => new ChannelFilter([parseChannel(name, true) as ParsedChannel]);
const entry = (epoch: string, position: number, channel: string, time: number): LogEntry =>
  createLogEntry(epoch, position, channel, [channel], String(position), time);
const positionsOf = (entries: readonly LogEntry[]): number[] => entries.map((e) => e.position);

describe('entry ring', () => {
  it('starts empty before its next position, in its epoch', () => {
    const ring = new EntryRing(4, 'e1');
    expect([ring.epoch, ring.first, ring.last]).toEqual(['e1', 1, 0]);
    expect(ring.covers('e1', 0)).toBe(true);
    expect(ring.covers('e2', 0)).toBe(false);
    expect(ring.read(0, filterOf('a'), 10)).toEqual({ epoch: 'e1', entries: [], position: 0, more: false });
  });

  it('keeps the last `capacity` entries and reads them by position, matching ones up to the limit', () => {
    const ring = new EntryRing(3, 'e');
    for (let p = 1; p <= 5; p++) ring.push(entry('e', p, p % 2 ? 'a' : 'b', p));
    expect([ring.first, ring.last]).toEqual([3, 5]);
    expect([ring.covers('e', 1), ring.covers('e', 2), ring.covers('e', 5), ring.covers('e', 6)]).toEqual([false, true, true, false]);
    const read = ring.read(2, filterOf('a'), 1);
    expect([positionsOf(read.entries), read.position, read.more]).toEqual([[3], 3, true]);
    expect(positionsOf(ring.slice(3, 10))).toEqual([4, 5]);
  });

  it('starts again from an entry that is not the next one', () => {
    const ring = new EntryRing(4, 'e');
    ring.push(entry('e', 1, 'a', 1));
    ring.push(entry('e', 7, 'a', 2));
    expect([ring.first, ring.last, ring.covers('e', 1)]).toEqual([7, 7, false]);
    ring.push(entry('f', 8, 'a', 3));
    expect([ring.epoch, ring.first, ring.covers('e', 7), ring.covers('f', 7)]).toEqual(['f', 8, false, true]);
  });

  it('drops entries by age from the oldest, and still ends at the newest when all are gone', () => {
    const ring = new EntryRing(4, 'e');
    for (let p = 1; p <= 3; p++) ring.push(entry('e', p, 'a', p * 10));
    ring.dropOlderThan(20);
    expect([ring.first, ring.last, ring.covers('e', 0), ring.covers('e', 1)]).toEqual([2, 3, false, true]);
    ring.dropOlderThan(100);
    expect([ring.first, ring.last, ring.covers('e', 3), ring.covers('e', 2)]).toEqual([4, 3, true, false]);
    ring.push(entry('e', 4, 'a', 200));
    expect([ring.first, ring.last]).toEqual([4, 4]);
  });

  it('with a capacity of 0 keeps nothing', () => {
    const ring = new EntryRing(0);
    ring.push(entry('e', 1, 'a', 1));
    ring.dropOlderThan(10);
    expect([ring.epoch, ring.covers('e', 1)]).toEqual(['', false]);
  });

  type Step =
    | { kind: 'next'; channel: string; age: number }
    | { kind: 'jump'; by: number; epoch: string }
    | { kind: 'drop'; age: number }
    | { kind: 'read'; back: number; channel: string; limit: number };
  const step: fc.Arbitrary<Step> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('next' as const), channel: fc.constantFrom('a', 'b'), age: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('jump' as const), by: fc.integer({ min: 2, max: 5 }), epoch: fc.constantFrom('e', 'f') }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), age: fc.integer({ min: 0, max: 20 }) }) },
    {
      weight: 3,
      arbitrary: fc.record({ kind: fc.constant('read' as const), back: fc.integer({ min: 0, max: 12 }), channel: fc.constantFrom('a', 'b', '*'), limit: fc.integer({ min: 1, max: 5 }) }),
    },
  );

  it('reads as a plain list of the entries it holds does (any pushes, jumps, drops and reads)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.array(step, { maxLength: 60 }), (capacity, steps) => {
        const ring = new EntryRing(capacity, 'e');
        // The model: the entries held, consecutive, oldest first, and the last position added.
        let held: LogEntry[] = [];
        let epoch = 'e';
        let last = 0;
        let time = 0;
        const add = (e: LogEntry): void => {
          if (e.epoch !== epoch || e.position !== last + 1) held = [];
          held.push(e);
          if (held.length > capacity) held.shift();
          [epoch, last] = [e.epoch, e.position];
          ring.push(e);
        };
        for (const s of steps) {
          if (s.kind === 'next') add(entry(epoch, last + 1, s.channel, (time += s.age)));
          else if (s.kind === 'jump') add(entry(s.epoch, last + s.by, 'a', time));
          else if (s.kind === 'drop') {
            const cutoff = time - s.age;
            while (held.length > 0 && held[0]!.time < cutoff) held.shift();
            ring.dropOlderThan(cutoff);
          } else {
            const after = last - s.back;
            const first = held[0]?.position ?? last + 1;
            const covered = after >= first - 1;
            expect(ring.covers(epoch, after)).toBe(covered && after <= last);
            expect(ring.covers(epoch === 'e' ? 'f' : 'e', after)).toBe(false);
            if (!covered) continue;
            const filter = s.channel === '*' ? filterOf('**') : filterOf(s.channel);
            const rest = held.filter((e) => e.position > after);
            const matching = rest.filter((e) => filter.matches(e.channel, e.segments)).slice(0, s.limit);
            const position = matching.length === s.limit ? matching[s.limit - 1]!.position : last;
            expect(ring.read(after, filter, s.limit)).toEqual({ epoch, entries: matching, position, more: position < last });
            expect(ring.slice(after, s.limit)).toEqual(rest.slice(0, s.limit));
          }
          expect([ring.epoch, ring.first, ring.last]).toEqual([epoch, held[0]?.position ?? last + 1, last]);
        }
      }),
    );
  });
});
