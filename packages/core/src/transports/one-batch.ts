import { cometError } from '../errors';
import type { CometResponse } from '../neutral';
import { errorResponse } from '../responses';
import type { TransportContext } from '../transport';
import type { Batch } from '../subscriber';

/** What a one-batch transport (long-poll, JSONP) still decides for itself: how a body is framed. */
export interface OneBatchFraming {
  readonly name: string;
  /** The response for a batch body (the long-poll JSON text of the batch). */
  respond(body: string | Buffer): CometResponse;
}

/**
 * The long-poll rule shared by long-poll JSON and JSONP: answer the first batch that has messages
 * (or a gap) and end; with nothing to say, hold until a message, the timeout, or shutdown.
 */
export function openOneBatch({ request, push, hub }: TransportContext, framing: OneBatchFraming): Promise<CometResponse> {
  return new Promise<CometResponse>((resolve) => {
    const settle = (response: CometResponse): void => {
      request.signal.removeEventListener('abort', onAbort);
      hub.release(subscriber);
      resolve(response);
    };
    // The client left: nothing will be written, but settle so the request's closure can go.
    const onAbort = (): void => settle(errorResponse(cometError('bad_request', 'The client went away.')));
    const subscriber = hub.subscribe(
      framing.name,
      push,
      {
        batch(batch) {
          if (batch.entries.length > 0 || batch.gap) settle(framing.respond(batchBody(batch)));
        },
        end(reason) {
          if (reason === 'error') {
            settle(errorResponse(cometError('unavailable', 'The message log is unavailable; retry.')));
          } else {
            settle(framing.respond(`{"cursor":"${hub.cursorOf(subscriber)}","messages":[]}`));
          }
        },
      },
      request.signal,
      { ms: hub.options.longPollTimeoutMs, reason: 'timeout' },
      false,
    );
    request.signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * The long-poll JSON text of a batch: `{"cursor","messages"[,"gap"]}`. One message with no gap
 * (the common case of a held poll) is framed once per message and shared by every poller.
 */
export function batchBody(batch: Batch): string | Buffer {
  const { entries, gap } = batch;
  if (entries.length === 1 && !gap) {
    const entry = entries[0]!;
    let frame = entry.frames.get('poll');
    if (!frame) {
      frame = Buffer.from(`{"cursor":"${entry.cursor}","messages":[${entry.json}]}`);
      entry.frames.set('poll', frame);
    }
    return frame;
  }
  let body = `{"cursor":"${batch.cursor}","messages":[`;
  for (let i = 0; i < entries.length; i++) body += (i > 0 ? ',' : '') + entries[i]!.json;
  body += ']';
  if (gap) body += `,"gap":{"reason":"${gap.reason}","from":${JSON.stringify(gap.from)}}`;
  return body + '}';
}
