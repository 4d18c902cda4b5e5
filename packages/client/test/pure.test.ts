import { backoffDelay } from '../src/backoff';
import { callbackName } from '../src/callback-name';
import { createEmitter } from '../src/emitter';
import { lineSplitter } from '../src/lines';
import { Subscriptions } from '../src/subscriptions';
import type { CometMessage } from '../src/types';

describe('backoffDelay', () => {
  it('doubles from minMs up to maxMs', () => {
    const top = (attempt: number): number => backoffDelay(attempt, 500, 30_000, () => 1);
    expect([0, 1, 2, 3, 6, 7, 50, 5000].map(top)).toEqual([500, 1000, 2000, 4000, 30_000, 30_000, 30_000, 30_000]);
  });
  it('jitters between half and all of the ceiling', () => {
    expect(backoffDelay(2, 500, 30_000, () => 0)).toBe(1000);
    expect(backoffDelay(2, 500, 30_000, () => 0.5)).toBe(1500);
    for (let i = 0; i < 200; i++) {
      const delay = backoffDelay(3, 100, 10_000);
      expect(delay).toBeGreaterThanOrEqual(400);
      expect(delay).toBeLessThanOrEqual(800);
    }
  });
});

describe('lineSplitter', () => {
  it('splits NDJSON however the chunks fall, skipping white-space lines', () => {
    const lines: string[] = [];
    const push = lineSplitter((line) => lines.push(line));
    push(' '.repeat(2048) + '\n{"type":"op');
    push('en","cursor":"e-1"}\n{"type":"heartbeat"}\n\n');
    push('{"type":"end"');
    expect(lines).toEqual(['{"type":"open","cursor":"e-1"}', '{"type":"heartbeat"}']);
    push('}\n');
    expect(lines[2]).toBe('{"type":"end"}');
  });
  it('keeps a multi-byte character split across chunks whole (the chunks are already text)', () => {
    const lines: string[] = [];
    const push = lineSplitter((line) => lines.push(line));
    for (const ch of '{"data":"é\u2028"}\n') push(ch);
    expect(JSON.parse(lines[0]!)).toEqual({ data: 'é\u2028' });
  });
});

describe('callbackName', () => {
  it('names a fresh global each time, a plain identifier the server accepts', () => {
    const names = new Set(Array.from({ length: 1000 }, callbackName));
    expect(names.size).toBe(1000);
    for (const name of names) {
      expect(name).toMatch(/^[A-Za-z_$][\w$]*$/);
      expect(`parent.${name}`.length).toBeLessThanOrEqual(64);
    }
  });
});

describe('Subscriptions', () => {
  const message = (channel: string, data: unknown = channel): CometMessage => ({ channel, cursor: 'e-1', data });

  it('reports when the set of names changes, and delivers by pattern', () => {
    const subs = new Subscriptions();
    const seen: string[] = [];
    const a = (data: unknown): void => void seen.push(`a:${data}`);
    const b = (data: unknown): void => void seen.push(`b:${data}`);
    expect(subs.add('chat/*', a)).toBe(true);
    expect(subs.add('chat/*', b)).toBe(false);
    expect(subs.add('chat/room', a)).toBe(true);
    expect(subs.names()).toEqual(['chat/*', 'chat/room']);
    subs.deliver(message('chat/room'));
    subs.deliver(message('news/x'));
    expect(seen).toEqual(['a:chat/room', 'b:chat/room', 'a:chat/room']);
    expect(subs.remove('chat/*', a)).toBe(false);
    expect(subs.remove('chat/*', a)).toBe(false);
    expect(subs.remove('chat/*', b)).toBe(true);
    expect(subs.names()).toEqual(['chat/room']);
  });

  it('does not call a handler that an earlier one removed, and survives a throwing handler', async () => {
    jest.useFakeTimers();
    try {
      const subs = new Subscriptions();
      const seen: string[] = [];
      const second = (): void => void seen.push('second');
      subs.add('x', () => {
        subs.remove('x', second);
        throw new Error('app bug');
      });
      subs.add('x', second);
      subs.add('*', () => void seen.push('third'));
      subs.deliver(message('x'));
      expect(seen).toEqual(['third']);
      expect(() => jest.runAllTimers()).toThrow('app bug');
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('createEmitter', () => {
  it('calls listeners in order until they stop listening', () => {
    const events = createEmitter<{ ping: number }>();
    const seen: number[] = [];
    const off = events.on('ping', (n) => seen.push(n));
    events.on('ping', (n) => seen.push(n * 10));
    events.emit('ping', 1);
    off();
    events.emit('ping', 2);
    expect(seen).toEqual([1, 10, 20]);
  });
});
