import { createLogEntry, type LogEntry } from '@cometkit/core/kit';
import { LastBatchCache } from '../src/kit/frames';
import type { Batch } from '../src/engine/subscriber';

const entry = (position: number, epoch = 'e1'): LogEntry => createLogEntry(epoch, position, 'a', ['a'], String(position), 0);
const batch = (entries: LogEntry[], extra: Partial<Batch> = {}): Batch => ({ entries, cursor: entries[entries.length - 1]!.cursor, ...extra });

describe('LastBatchCache', () => {
  it('builds once for the same consecutive batch, again for another', () => {
    const cache = new LastBatchCache<string>();
    let builds = 0;
    const build = (): string => String(++builds);
    const same = [entry(3), entry(4), entry(5)];
    expect(cache.get(batch(same), build)).toBe('1');
    expect(cache.get(batch([entry(3), entry(4), entry(5)]), build)).toBe('1');
    expect(cache.get(batch([entry(4), entry(5)]), build)).toBe('2');
  });

  it('builds once for one batch object handed to many, whatever it holds (a hole, a gap)', () => {
    const cache = new LastBatchCache<string>();
    let builds = 0;
    const build = (): string => String(++builds);
    const holed = batch([entry(3), entry(5)]);
    const gapped = batch([entry(1), entry(2)], { gap: { reason: 'expired', from: 'e1-0' } });
    expect([cache.get(holed, build), cache.get(holed, build)]).toEqual(['1', '1']);
    expect([cache.get(gapped, build), cache.get(gapped, build)]).toEqual(['2', '2']);
    expect(cache.get(holed, build)).toBe('3'); // only the last one is remembered
  });

  it('never shares, between two batch objects, one with a hole, a gap, or another epoch', () => {
    const cache = new LastBatchCache<string>();
    let builds = 0;
    const build = (): string => String(++builds);
    const holed = [entry(3), entry(5)];
    cache.get(batch(holed), build);
    cache.get(batch(holed), build);
    expect(builds).toBe(2);
    const gapped = (): Batch => batch([entry(1), entry(2)], { gap: { reason: 'expired', from: 'e1-0' } });
    cache.get(gapped(), build);
    cache.get(gapped(), build);
    expect(builds).toBe(4);
    cache.get(batch([entry(1, 'e1'), entry(2, 'e1')]), build);
    cache.get(batch([entry(1, 'e2'), entry(2, 'e2')]), build);
    expect(builds).toBe(6);
  });
});
