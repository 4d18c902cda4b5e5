import type { LogEntry } from '../../log/broker';
import type { Batch } from '../../engine/subscriber';
import { cachedFrame, LastBatchCache } from '../../kit/frames';

const lastBody = new LastBatchCache<Buffer>();
const onlyMessage = (entry: LogEntry): string => `{"cursor":"${entry.cursor}","messages":[${entry.json}]}`;
// A message as an item of a batch's list, comma first (the first item of a list drops it).
const listItem = (entry: LogEntry): string => ',' + entry.json;
// What comes before and after a batch's messages, one form for the bytes and the text.
const bodyStart = (batch: Batch): string => `{"cursor":"${batch.cursor}","messages":[`;
const bodyEnd = ({ gap }: Batch): string => (gap ? `],"gap":{"reason":"${gap.reason}","from":${JSON.stringify(gap.from)}}}` : ']}');

/**
 * The long-poll JSON of a batch: `{"cursor","messages"[,"gap"]}`, built once per batch and
 * shared by every poller held at the same position (one message: cached on the message itself).
 * Bytes, not text: a batch is the messages' own cached bytes copied once, where a string joined
 * for each poller would be encoded again on every write.
 */
export function batchBody(batch: Batch): string | Buffer {
  const { entries, gap } = batch;
  if (entries.length === 1 && !gap) return cachedFrame(entries[0]!, 'poll', onlyMessage);
  if (entries.length === 0) return batchText(batch);
  return lastBody.get(batch, () => {
    const parts: Buffer[] = [Buffer.from(bodyStart(batch))];
    for (let i = 0; i < entries.length; i++) {
      const item = cachedFrame(entries[i]!, 'item', listItem);
      parts.push(i === 0 ? item.subarray(1) : item);
    }
    parts.push(Buffer.from(bodyEnd(batch)));
    return Buffer.concat(parts);
  });
}

/** {@link batchBody} as text, for framings that wrap it (JSONP). */
export function batchText(batch: Batch): string {
  let body = bodyStart(batch);
  for (let i = 0; i < batch.entries.length; i++) body += (i > 0 ? ',' : '') + batch.entries[i]!.json;
  return body + bodyEnd(batch);
}
