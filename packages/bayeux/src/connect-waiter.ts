import type { Batch, CometError, EndReason, Subscriber, SubscriberHandlers } from '@cometkit/core';
import type { ParsedChannel } from '@cometkit/core';

/** How a held `/meta/connect` ended. */
export type ConnectOutcome =
  | { readonly kind: 'batch'; readonly batch: Batch }
  | { readonly kind: 'end'; readonly reason: EndReason; readonly cursor: string }
  | { readonly kind: 'refused'; readonly error: CometError }
  /** Ended by the server: a newer connect of the session, its disconnect, or its expiry. */
  | { readonly kind: 'released'; readonly why: 'superseded' | 'disconnected' | 'expired' };

/**
 * One held `/meta/connect`: the engine's handlers for it, and the handle the session's other
 * requests use while it is held (a subscribe changes its channels, a disconnect releases it).
 * A class, not closures: many of these may be held at once.
 */
export class ConnectWaiter implements SubscriberHandlers {
  readonly outcome: Promise<ConnectOutcome>;
  private resolve!: (outcome: ConnectOutcome) => void;
  private reject!: (error: unknown) => void;
  private settled = false;
  private subscriber: Subscriber | undefined;
  /** Channels set before the engine handed the subscriber over (authorize was still running). */
  private laterChannels: readonly ParsedChannel[] | undefined;

  /**
   * @param clientId the session's
   * @param message the connect message (its `id` and `ext` go into the answer)
   */
  constructor(
    readonly clientId: string,
    readonly message: Record<string, unknown>,
  ) {
    this.outcome = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  batch(batch: Batch): void {
    this.settle({ kind: 'batch', batch });
  }

  end(reason: EndReason, cursor: string): void {
    this.settle({ kind: 'end', reason, cursor });
  }

  refuse(error: CometError): void {
    this.settle({ kind: 'refused', error });
  }

  /** `authorize` threw. */
  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  /** The engine admitted it. */
  attach(subscriber: Subscriber): void {
    this.subscriber = subscriber;
    if (this.laterChannels) subscriber.setChannels(this.laterChannels);
  }

  /** The session's subscriptions changed while held: messages of a new channel from its position on. */
  setChannels(channels: readonly ParsedChannel[]): void {
    if (this.subscriber) this.subscriber.setChannels(channels);
    else this.laterChannels = channels;
  }

  /** Ends the hold without an answer of messages (what was not sent is read again later). */
  release(why: 'superseded' | 'disconnected' | 'expired'): void {
    this.settle({ kind: 'released', why });
    this.subscriber?.end('done');
  }

  private settle(outcome: ConnectOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(outcome);
  }
}
