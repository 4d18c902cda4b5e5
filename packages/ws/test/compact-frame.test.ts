import fc from 'fast-check';
import { parseChannel } from '@cometkit/core';
import { createLogEntry, type Batch, type LogEntry } from '@cometkit/core/kit';
import { expandMessages, type MessagesFrame } from '@cometkit/protocol';
import { compactFrame, compactWireFrame } from '../src/compact-frame';

/** An entry as a broker makes it: position `position`, or (partitioned) its place in `positions`. */
function entry(epoch: string, position: number, channel: string, data: unknown, positions?: number[]): LogEntry {
  const parsed = parseChannel(channel, false);
  if (!('segments' in parsed)) throw new Error(`bad channel ${channel}`);
  return createLogEntry(epoch, position, channel, parsed.segments, JSON.stringify(data), 0, 0, positions);
}
const batchOf = (entries: LogEntry[]): Batch => ({ entries, cursor: entries[entries.length - 1]!.cursor });
/** What a client reads from the frame: the message frames it stands for. */
const read = (frame: Buffer): unknown[] => expandMessages(JSON.parse(frame.toString('utf8')) as MessagesFrame);
/** What the `message` objects of the same entries say. */
const said = (entries: LogEntry[]): unknown[] => entries.map((e) => ({ type: 'message', channel: e.channel, cursor: e.cursor, data: JSON.parse(e.payload) as unknown }));

const json = fc.jsonValue().map((value) => JSON.parse(JSON.stringify(value)) as unknown);
const channel = fc.constantFrom('a', 'chat/room', 'chat/other', 'x/y/z', 'odd/$(%,=)~@');

let runs = 0;

describe('compact frames', () => {
  it('say exactly what the message objects say, for any batch (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(channel, json), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 0, max: 1e9 }),
        fc.boolean(),
        (messages, start, partitioned) => {
          // A log's positions name one entry each: each run is a log of its own (an epoch of its own).
          const epoch = `e${++runs}`;
          const entries = messages.map(([name, data], i) =>
            partitioned ? entry(epoch, start + i + 1, name, data, [start + i + 1, 3, 0]) : entry(epoch, start + i + 1, name, data),
          );
          const frame = compactFrame(batchOf(entries))!;
          expect(read(frame)).toEqual(said(entries));
        },
      ),
    );
  });

  it('write the epoch once and a channel only where it changes', () => {
    const entries = [entry('e1', 7, 'a', 1), entry('e1', 8, 'a', 'two'), entry('e1', 9, 'b', { n: 3 }), entry('e1', 10, 'a', null)];
    expect(compactFrame(batchOf(entries))!.toString()).toBe(
      '{"type":"messages","epoch":"e1","messages":[[7,"a",1],[8,"two"],[9,"b",{"n":3}],[10,"a",null]]}',
    );
  });

  it('quote a partitioned position, and make a lone message its own frame, shared by every batch holding it', () => {
    const lone = entry('e1', 5, 'a', [1], [5, 0, 2]);
    const frame = compactFrame(batchOf([lone]))!;
    expect(frame.toString()).toBe('{"type":"messages","epoch":"e1","messages":[["5_0_2","a",[1]]]}');
    // The whole WebSocket frame is made once and shared; the payload is a view of it.
    const wire = compactWireFrame(batchOf([lone]))!;
    expect(compactWireFrame(batchOf([lone]))).toBe(wire);
    expect(wire.subarray(2)).toEqual(frame);
  });

  it('leave a batch that spans two epochs to the message objects', () => {
    expect(compactFrame(batchOf([entry('e1', 5, 'a', 1), entry('e2', 1, 'a', 2)]))).toBeUndefined();
  });

  it('are refused by the reader when the first message names no channel, or a tuple has another length', () => {
    expect(() => expandMessages({ type: 'messages', epoch: 'e', messages: [[1, 'data']] })).toThrow(/names no channel/);
    expect(() => expandMessages({ type: 'messages', epoch: 'e', messages: [[1, 'a', 2], [2, 'a', 2, 3] as never] })).toThrow(/\[position, data\]/);
    expect(() => expandMessages({ type: 'messages', epoch: 'e', messages: [[1] as never] })).toThrow(/\[position, data\]/);
  });

  it('leave a batch with no messages (a gap alone) to the gap frame', () => {
    expect(compactFrame({ entries: [], cursor: 'e1-4', gap: { reason: 'expired', from: 'e1-1' } })).toBeUndefined();
  });
});
