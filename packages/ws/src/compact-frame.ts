import { cachedFrame, sharedBatchFrame, type Batch, type LogEntry } from '@cometkit/core/kit';
import { framePayload, textFrame } from './shared-frame';

/**
 * The compact form of a batch of messages, for sockets opened with `frames=compact`: one text
 * frame `{"type":"messages","epoch":E,"messages":[[P,CHANNEL,DATA],[P,DATA],…]}`. The epoch is
 * written once; each message is its position after the epoch (`E-P` is its cursor: a number, or
 * for a partitioned log the `17_0_4` text) and its data; its channel is written only when it is
 * not the previous message's (a two-element tuple has the channel of the one before it). A third
 * of the bytes of the `message` objects, which is what a socket spends most of its time writing.
 * Undefined for a batch with no messages (a gap alone) or, which no read makes, one that spans two epochs.
 */
export function compactFrame(batch: Batch): Buffer | undefined {
  const frame = compactWireFrame(batch);
  return frame && framePayload(frame);
}

/**
 * {@link compactFrame} as the whole WebSocket frame, header included ({@link textFrame}): what a
 * socket writes, made once per message (kept on its log entry) or once per batch, and shared.
 */
export function compactWireFrame(batch: Batch): Buffer | undefined {
  const { entries } = batch;
  if (entries.length === 0) return undefined;
  if (entries.length === 1) return cachedFrame(entries[0]!, 'ws-compact-one', loneFrame);
  const epoch = entries[0]!.epoch;
  // One batch is one epoch (a read never spans two); if one ever did, the objects say it as well.
  if (entries[entries.length - 1]!.epoch !== epoch) return undefined;
  return sharedBatchFrame(batch, 'ws-compact', build);
}

const TAIL = Buffer.from(']}');

function build({ entries }: Batch): Buffer {
  const parts: Buffer[] = [Buffer.from(head(entries[0]!.epoch))];
  let channel: string | undefined;
  for (const entry of entries) {
    const piece = entry.channel === channel ? cachedFrame(entry, 'ws-compact-same', same) : cachedFrame(entry, 'ws-compact', named);
    // Each piece starts with its comma, so that both forms can be cached whatever comes before.
    parts.push(parts.length === 1 ? piece.subarray(1) : piece);
    channel = entry.channel;
  }
  parts.push(TAIL);
  return textFrame(parts);
}

const head = (epoch: string): string => `{"type":"messages","epoch":"${epoch}","messages":[`;
/** The position after the epoch: a number, or (partitioned) the `17_0_4` text, quoted. */
function position(entry: LogEntry): string {
  if (!entry.positions) return String(entry.position);
  return `"${entry.cursor.slice(entry.epoch.length + 1)}"`;
}
const named = (entry: LogEntry): string => `,[${position(entry)},${JSON.stringify(entry.channel)},${entry.payload}]`;
const same = (entry: LogEntry): string => `,[${position(entry)},${entry.payload}]`;
const lone = (entry: LogEntry): string => `${head(entry.epoch)}${named(entry).slice(1)}]}`;
const loneFrame = (entry: LogEntry): Buffer => textFrame(Buffer.from(lone(entry)));
