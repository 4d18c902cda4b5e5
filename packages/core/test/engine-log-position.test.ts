import { formatCursor, parseCursor, type Cursor } from '../src/log/cursor';
import { createLogEntry } from '../src/log/log-entry';
import type { LogEntry } from '../src/log/broker';
import { DispatchHead, type LogPosition } from '../src/engine/log-position';

// The one position type, in both shapes: each step the engine and its subscribers take (follow
// the feed, queue an entry once, tell caught up, name a cursor) gives the same answers for a log
// of one partition and, per partition, for a partitioned one.

/** Every step public, for the test (a subscriber reaches them as a subclass; the head has the feed's public already). */
class Place extends DispatchHead {
  override setTo(cursor: Cursor): void {
    super.setTo(cursor);
  }
  override queue(entry: LogEntry): boolean {
    return super.queue(entry);
  }
  override queueUpToHanded(): void {
    super.queueUpToHanded();
  }
  override passShared(entry: LogEntry): void {
    super.passShared(entry);
  }
  override isBefore(entry: LogEntry): boolean {
    return super.isBefore(entry);
  }
  override reaches(head: LogPosition): boolean {
    return super.reaches(head);
  }
  override pass(entries: LogEntry[]): LogEntry[] {
    return super.pass(entries);
  }
  override textRaisedTo(head: LogPosition): string {
    return super.textRaisedTo(head);
  }
}

const EPOCH = 'e1';
const entry = (position: number, partition = 0, positions?: number[]): LogEntry => createLogEntry(EPOCH, position, 'a', ['a'], '1', 0, partition, positions);
const at = (cursor: Cursor, partitions = 1): Place => new Place(partitions, cursor);
const noHead = (): Cursor => {
  throw new Error('the broker head is asked only for a new log');
};

describe('a position in a log of one partition', () => {
  it('follows the feed: the next entry, a replayed one, one after a hole, one of a new log', () => {
    const head = at({ epoch: EPOCH, position: 2 });
    expect(head.follow(entry(3), noHead)).toBe('next');
    expect(head.follow(entry(3), noHead)).toBe('seen');
    expect(head.follow(entry(2), noHead)).toBe('seen');
    expect(head.follow(entry(6), noHead)).toBe('hole');
    expect(head.cursor()).toEqual({ epoch: EPOCH, position: 6 });
    expect(head.follow(createLogEntry('e2', 1, 'a', ['a'], '1', 0), noHead)).toBe('next');
    expect(head.cursor()).toEqual({ epoch: 'e2', position: 1 });
  });

  it('queues an entry once, and none a read went past', () => {
    const place = at({ epoch: EPOCH, position: 0 });
    expect(place.queue(entry(2))).toBe(true);
    expect(place.queue(entry(2))).toBe(false); // a second pattern matching it
    place.setTo({ epoch: EPOCH, position: 5 }); // the read went past it
    place.queueUpToHanded();
    expect(place.queue(entry(4))).toBe(false);
    expect(place.queue(entry(6))).toBe(true);
    expect(place.isBefore(entry(5))).toBe(false);
    expect(place.isBefore(entry(6))).toBe(true);
  });

  it('tells a reader caught up with the head, and raises its cursor to it', () => {
    const head = at({ epoch: EPOCH, position: 7 });
    expect(at({ epoch: EPOCH, position: 7 }).reaches(head)).toBe(true);
    expect(at({ epoch: EPOCH, position: 9 }).reaches(head)).toBe(true);
    expect(at({ epoch: EPOCH, position: 6 }).reaches(head)).toBe(false);
    expect(at({ epoch: 'e0', position: 9 }).reaches(head)).toBe(false);
    expect(at({ epoch: EPOCH, position: 4 }).textRaisedTo(head)).toBe(formatCursor({ epoch: EPOCH, position: 7 }));
    expect(at({ epoch: EPOCH, position: 9 }).textRaisedTo(head)).toBe(formatCursor({ epoch: EPOCH, position: 9 }));
  });

  it('passes entries as they are, and a shared batch moves handed and queued both', () => {
    const place = at({ epoch: EPOCH, position: 0 });
    place.queueUpToHanded(); // live, as a member is before it shares a group's queue
    const entries = [entry(1), entry(2)];
    expect(place.pass(entries)).toBe(entries);
    expect(place.position).toBe(2);
    place.passShared(entry(4));
    expect(place.position).toBe(4);
    expect(place.queue(entry(4))).toBe(false);
  });
});

describe('a position in a partitioned log', () => {
  it('follows the feed per partition, and asks the broker where a new log stands', () => {
    const head = at({ epoch: EPOCH, position: 3, positions: [1, 2] }, 2);
    expect(head.follow(entry(2, 0), noHead)).toBe('next');
    expect(head.follow(entry(2, 1), noHead)).toBe('seen');
    expect(head.follow(entry(5, 1), noHead)).toBe('hole');
    expect(head.cursor()).toEqual({ epoch: EPOCH, position: 7, positions: [2, 5] });
    const step = head.follow(createLogEntry('e2', 1, 'a', ['a'], '1', 0, 1), () => ({ epoch: 'e2', position: 4, positions: [3, 1] }));
    expect(step).toBe('next');
    expect(head.cursor()).toEqual({ epoch: 'e2', position: 4, positions: [3, 1] });
  });

  it('stamps a fed entry with the head, so a caught-up reader\'s cursor names all it has seen', () => {
    const head = at({ epoch: EPOCH, position: 0, positions: [0, 0] }, 2);
    head.follow(entry(1, 1, [0, 1]), noHead);
    head.follow(entry(1, 0, [1, 0]), noHead); // the feed's own cursor lags behind the head
    const stamped = head.stamp(entry(1, 0, [1, 0]));
    expect(parseCursor(stamped.cursor)).toEqual({ epoch: EPOCH, position: 2, positions: [1, 1] });
    const same = entry(1, 0, [1, 1]);
    expect(head.stamp(same)).toBe(same);
  });

  it('queues per partition, and tells caught up only when no partition is behind', () => {
    const place = at({ epoch: EPOCH, position: 3, positions: [2, 1] }, 2);
    place.queueUpToHanded();
    expect(place.queue(entry(2, 0))).toBe(false);
    expect(place.queue(entry(2, 1))).toBe(true);
    expect(place.queue(entry(2, 1))).toBe(false);
    expect(place.reaches(at({ epoch: EPOCH, position: 3, positions: [2, 1] }, 2))).toBe(true);
    expect(place.reaches(at({ epoch: EPOCH, position: 2, positions: [0, 2] }, 2))).toBe(false);
    expect(place.textRaisedTo(at({ epoch: EPOCH, position: 2, positions: [0, 2] }, 2))).toBe(formatCursor({ epoch: EPOCH, position: 4, positions: [2, 2] }));
  });

  it('passes entries at the reader\'s own positions where it is ahead of the feed', () => {
    const place = at({ epoch: EPOCH, position: 5, positions: [0, 5] }, 2); // its read went past the feed in partition 1
    const fed = [entry(1, 0, [1, 3])];
    const passed = place.pass(fed);
    expect(passed).not.toBe(fed);
    expect(parseCursor(passed[0]!.cursor)).toEqual({ epoch: EPOCH, position: 6, positions: [1, 5] });
    const level = [entry(2, 0, [2, 5])];
    expect(place.pass(level)).toBe(level);
  });
});
