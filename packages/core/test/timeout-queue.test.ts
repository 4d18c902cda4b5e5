import { TimeoutQueue } from '../src/timeout-queue';

describe('TimeoutQueue', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('expires items in insertion order with one timer', () => {
    const expired: string[] = [];
    const queue = new TimeoutQueue<string>(100, (item) => expired.push(item), () => Date.now());
    queue.add('a');
    jest.advanceTimersByTime(40);
    queue.add('b');
    expect(jest.getTimerCount()).toBe(1);
    jest.advanceTimersByTime(60);
    expect(expired).toEqual(['a']);
    jest.advanceTimersByTime(40);
    expect(expired).toEqual(['a', 'b']);
    expect(queue.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('forgets deleted items and disarms when empty', () => {
    const expired: string[] = [];
    const queue = new TimeoutQueue<string>(100, (item) => expired.push(item), () => Date.now());
    queue.add('a');
    queue.add('b');
    queue.delete('a');
    jest.advanceTimersByTime(100);
    expect(expired).toEqual(['b']);
    queue.add('c');
    queue.delete('c');
    expect(jest.getTimerCount()).toBe(0);
  });
});
