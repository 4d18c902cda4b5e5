import type { CometError } from '@cometkit/core';
import type { Batch, EndReason, Subscriber, SubscriberHandlers } from '@cometkit/core/kit';
import type { ParsedChannel } from '@cometkit/core';
import type { Answer } from './protocol';

/** How a held `/meta/connect` ended. */
export type ConnectOutcome =
  | { readonly kind: 'batch'; readonly batch: Batch }
  | { readonly kind: 'end'; readonly reason: EndReason; readonly cursor: string }
  | { readonly kind: 'refused'; readonly error: CometError }
  /** Ended by the server: a newer connect of the session, its disconnect, or its expiry. */
  | { readonly kind: 'released'; readonly why: 'superseded' | 'disconnected' | 'expired' };

/** Turns a held connect's outcome into its answer (one per protocol, shared by every waiter). */
export interface ConnectAnswerer {
  answer(waiter: ConnectWaiter, outcome: ConnectOutcome): Answer | Promise<Answer>;
  /** The common outcome, a batch, without an outcome object around it. */
  answerBatch(waiter: ConnectWaiter, batch: Batch): Answer | Promise<Answer>;
}

/** The executor of every waiter's promise: it hands its resolver over here, not to a closure per waiter. */
let resolverOut: ((answer: Answer | PromiseLike<Answer>) => void) | undefined;
const takeResolver = (resolve: (answer: Answer | PromiseLike<Answer>) => void): void => {
  resolverOut = resolve;
};

/**
 * One held `/meta/connect`: the engine's handlers for it, and the handle the session's other
 * requests use while it is held (a subscribe changes its channels, a disconnect releases it).
 * A class, not closures: many of these may be held at once. It keeps what the answer needs and
 * no more (the clientId, the request's `id`, the subscriptions' key), not the parsed message,
 * and its promise is the answer itself, so a held connect is one pending promise.
 */
export class ConnectWaiter implements SubscriberHandlers {
  readonly answer: Promise<Answer>;
  private readonly resolve: (answer: Answer | PromiseLike<Answer>) => void;
  private settled = false;
  private subscriber: Subscriber | undefined;
  /** Channels set before the engine handed the subscriber over (authorize was still running). */
  private laterChannels: readonly ParsedChannel[] | undefined;

  /**
   * @param clientId the session's
   * @param replyId the connect message's `id`, echoed in the answer
   * @param subscriptionKey the subscriptions it reads with (a subscribe elsewhere changes them)
   */
  constructor(
    readonly clientId: string,
    readonly replyId: string | number | undefined,
    public subscriptionKey: string,
    private readonly answerer: ConnectAnswerer,
  ) {
    this.answer = new Promise(takeResolver);
    this.resolve = resolverOut!;
    resolverOut = undefined;
  }

  batch(batch: Batch): void {
    this.settle(batch);
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
    this.resolve(Promise.reject(error));
  }

  /** The engine admitted it. */
  attach(subscriber: Subscriber): void {
    this.subscriber = subscriber;
    if (this.laterChannels) subscriber.setChannels(this.laterChannels);
  }

  /** The session's subscriptions changed while held: messages of a new channel from its position on. */
  setChannels(channels: readonly ParsedChannel[], key: string): void {
    this.subscriptionKey = key;
    if (this.subscriber) this.subscriber.setChannels(channels);
    else this.laterChannels = channels;
  }

  /** Ends the hold without an answer of messages (what was not sent is read again later). */
  release(why: 'superseded' | 'disconnected' | 'expired'): void {
    this.settle({ kind: 'released', why });
    this.subscriber?.end('done');
  }

  /** Settles with the answer to its outcome: a batch as it is, anything else as a ConnectOutcome. */
  private settle(outcome: ConnectOutcome | Batch): void {
    if (this.settled) return;
    this.settled = true;
    try {
      this.resolve('entries' in outcome ? this.answerer.answerBatch(this, outcome) : this.answerer.answer(this, outcome));
    } catch (error) {
      this.resolve(Promise.reject(error));
    }
  }
}
