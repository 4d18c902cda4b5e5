import { cometError } from '../errors';
import type { HubInternals } from '../hub-internals';
import type { CometResponse } from '../neutral';
import { errorResponse } from '../responses';
import type { Batch, EndReason, Subscriber, SubscriberHandlers } from '../subscriber';
import type { TransportContext } from '../transport';

/** What a one-batch transport (long-poll, JSONP) still decides for itself: how a body is framed. */
export interface OneBatchFraming {
  readonly name: string;
  /** The response for a batch body (the long-poll JSON text of the batch). */
  respond(body: string | Buffer): CometResponse;
}

const UNAVAILABLE = errorResponse(cometError('unavailable', 'The message log is unavailable; retry.'));
/** What a poll whose client left settles with; the bridge writes nothing for it. */
const GONE = errorResponse(cometError('bad_request', 'The client went away.'));

/**
 * The long-poll rule shared by long-poll JSON and JSONP: answer the first batch that has messages
 * (or a gap) and end; with nothing to say, hold until a message, the timeout, or shutdown.
 */
export function openOneBatch({ request, push, hub }: TransportContext, framing: OneBatchFraming): Promise<CometResponse> {
  return new Promise<CometResponse>((resolve) => {
    const waiter = new PollWaiter(hub, framing, resolve);
    waiter.subscriber = hub.subscribe(framing.name, push, waiter, request.signal, waiter.lifetime, false);
  });
}

/** One held poll. A class, not closures: tens of thousands of these may wait at once. */
class PollWaiter implements SubscriberHandlers {
  subscriber!: Subscriber;
  readonly lifetime;

  constructor(
    private readonly hub: HubInternals,
    private readonly framing: OneBatchFraming,
    private readonly resolve: (response: CometResponse) => void,
  ) {
    this.lifetime = { ms: hub.options.longPollTimeoutMs, reason: 'timeout' } as const;
  }

  batch(batch: Batch): void {
    if (batch.entries.length > 0 || batch.gap) this.settle(this.framing.respond(batchBody(batch)));
  }

  end(reason: EndReason): void {
    if (reason === 'gone') this.settle(GONE);
    else if (reason === 'error') this.settle(UNAVAILABLE);
    else this.settle(this.framing.respond(`{"cursor":"${this.hub.cursorOf(this.subscriber)}","messages":[]}`));
  }

  private settle(response: CometResponse): void {
    this.hub.release(this.subscriber);
    this.resolve(response);
  }
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
