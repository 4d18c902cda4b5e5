import type { LogEntry } from '../broker';
import { cometError } from '../errors';
import type { CometResponse } from '../neutral';
import { errorResponse, jsonText } from '../responses';
import type { Batch } from '../subscriber';
import type { Transport } from '../transport';

/**
 * Long-poll JSON: `GET {mount}/poll?channel=…&cursor=…`. Answers at once when messages after the
 * cursor exist, else holds until one arrives or the timeout; then one JSON batch and the end.
 * Body: `{"cursor":"…","messages":[{"channel","cursor","data"},…]}`, plus `"gap"` when history
 * no longer covered the cursor.
 */
export const longPoll: Transport = {
  name: 'poll',
  open({ request, push, hub }) {
    return new Promise<CometResponse>((resolve) => {
      const settle = (response: CometResponse): void => {
        request.signal.removeEventListener('abort', onAbort);
        hub.release(subscriber);
        resolve(response);
      };
      const answer = (body: string | Buffer): void => settle(jsonText(200, body));
      // The client left: nothing will be written, but settle so the request's closure can go.
      const onAbort = (): void => settle(jsonText(499, ''));
      const subscriber = hub.subscribe(
        'poll',
        push,
        {
          batch(batch) {
            if (batch.entries.length > 0 || batch.gap) answer(batchBody(batch));
          },
          end(reason) {
            if (reason === 'error') {
              settle(errorResponse(cometError('unavailable', 'The message log is unavailable; retry.')));
            } else {
              answer(`{"cursor":"${hub.cursorOf(subscriber)}","messages":[]}`);
            }
          },
        },
        request.signal,
        { ms: hub.options.longPollTimeoutMs, reason: 'timeout' },
        false,
      );
      request.signal.addEventListener('abort', onAbort, { once: true });
    });
  },
};

/** The poll body for a batch; one message with no gap is framed once and shared. */
export function batchBody(batch: Batch): string | Buffer {
  const { entries, gap } = batch;
  if (entries.length === 1 && !gap) return singleBody(entries[0]!);
  let body = `{"cursor":"${batch.cursor}","messages":[`;
  for (let i = 0; i < entries.length; i++) body += (i > 0 ? ',' : '') + entries[i]!.json;
  body += ']';
  if (gap) body += `,"gap":{"reason":"${gap.reason}","from":${JSON.stringify(gap.from)}}`;
  return body + '}';
}

function singleBody(entry: LogEntry): Buffer {
  let frame = entry.frames.get('poll');
  if (!frame) {
    frame = Buffer.from(`{"cursor":"${entry.cursor}","messages":[${entry.json}]}`);
    entry.frames.set('poll', frame);
  }
  return frame;
}
