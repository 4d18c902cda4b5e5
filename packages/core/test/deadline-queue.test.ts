import { DeadlineQueue, type Timed } from '../src/engine/deadline-queue';

interface Item extends Timed {
  name: string;
}
const item = (name: string): Item => ({ name, deadline: 0, slot: -1 });

describe('DeadlineQueue', () => {
  let now = 0;
  let due: string[];
  let queue: DeadlineQueue<Item>;
  beforeEach(() => {
    jest.useFakeTimers();
    now = 0;
    due = [];
    queue = new DeadlineQueue<Item>((i) => due.push(i.name), () => now);
  });
  afterEach(() => jest.useRealTimers());
  const advance = (ms: number): void => {
    now += ms;
    jest.advanceTimersByTime(ms);
  };

  it('fires items of any duration in deadline order, with one timer', () => {
    const durations = [500, 20, 300, 20, 1_000, 0, 75];
    durations.forEach((ms, i) => queue.add(item(`${i}:${ms}`), ms));
    expect(jest.getTimerCount()).toBe(1);
    advance(1_000);
    // Items due at the same moment may fire in either order.
    expect(due.slice(0, 1)).toEqual(['5:0']);
    expect(due.slice(1, 3).sort()).toEqual(['1:20', '3:20']);
    expect(due.slice(3)).toEqual(['6:75', '2:300', '0:500', '4:1000']);
    expect(queue.size).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('removes an item from anywhere without firing it, and stops the timer when empty', () => {
    const items = Array.from({ length: 50 }, (_, i) => item(String(i)));
    items.forEach((it, i) => queue.add(it, ((i * 37) % 50) * 10));
    for (const it of items.filter((_, i) => i % 3 === 0)) queue.delete(it);
    queue.delete(item('never added'));
    advance(500);
    const expected = items
      .map((it, i) => [it.name, ((i * 37) % 50) * 10] as const)
      .filter((_, i) => i % 3 !== 0)
      .sort((a, b) => a[1] - b[1])
      .map(([name]) => name);
    expect(due).toEqual(expected);
    for (const it of items) expect(it.slot).toBe(-1);
  });

  it('re-queues an item added twice at its new deadline', () => {
    const a = item('a');
    queue.add(a, 100);
    queue.add(item('b'), 150);
    advance(50);
    queue.add(a, 200); // due at 250 now
    advance(100);
    expect(due).toEqual(['b']);
    advance(100);
    expect(due).toEqual(['b', 'a']);
  });

  it('fires nothing before its deadline, and clear() drops everything', () => {
    queue.add(item('a'), 100);
    advance(99);
    expect(due).toEqual([]);
    queue.clear();
    advance(1_000);
    expect(due).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
