import {
  isCometError,
  timeoutLifetime,
  type Batch,
  type CometError,
  type EndReason,
  type Engine,
  type ParsedChannel,
  type ResolvedOptions,
  type Subscriber,
  type SubscriberHandlers,
  type SubscribeSpec,
} from '@cometkit/core';

/*
 * The kit's hold as a door that is not an HTTP route needs it: an outcome to make its own answer
 * from, channels that may change while held, and a release. Core's `holdOneBatch` answers with an
 * HTTP response and can do neither of the last two; this is written against core's public names
 * only, to move into `@cometkit/core/kit` as it is (`holdOneBatch` is then this hold with a
 * framing applied to its outcome).
 */

/** How a hold ended. */
export type HoldOutcome =
  /** A batch of messages (or a gap): the first one, and the only one. */
  | { readonly kind: 'batch'; readonly batch: Batch }
  /** Ended with nothing to say: the hold ran out (`timeout`), shutdown, the client left (`gone`), the log failed (`error`)… */
  | { readonly kind: 'end'; readonly reason: EndReason; readonly cursor: string }
  /** Not admitted: `closing`, `too_many_connections`, `forbidden`, or `bad_request` when the client left while being authorized. */
  | { readonly kind: 'refused'; readonly error: CometError }
  /** Ended by its door with {@link Hold.release}. */
  | { readonly kind: 'released' };

/**
 * What {@link hold} needs: the engine, and of a subscription its door's name, the request (for
 * `authorize`, and its abort signal, which ends the hold as `gone`), channels, cursor and context.
 */
export interface HoldSpec extends Pick<SubscribeSpec, 'transport' | 'request' | 'channels' | 'cursor' | 'sentCursor' | 'context'> {
  readonly engine: Engine;
  /** How long to hold with nothing to say (a client-chosen time goes through {@link clampHold} first); 0 answers after the read. */
  readonly holdMs: number;
}

/** One held request: its outcome, and what its door may do while it waits. */
export interface Hold {
  /** Settles once, with the first thing that happens; rejects when `authorize` threw (a bug of the app's). */
  readonly outcome: Promise<HoldOutcome>;
  /** Reads the channels given from its position on, in place of those it held with. */
  setChannels(channels: readonly ParsedChannel[]): void;
  /** Ends the hold now with `released` (what it had not answered is read again by the next one). */
  release(): void;
}

/** A requested hold time within the hub's `limits.minHoldMs`…`maxHoldMs` (a Bayeux `advice.timeout` too). */
export function clampHold(settings: Pick<ResolvedOptions, 'minHoldMs' | 'maxHoldMs'>, holdMs: number): number {
  return Math.min(Math.max(settings.minHoldMs, holdMs), settings.maxHoldMs);
}

/**
 * The long-poll rule: the first batch that has messages (or a gap) ends the hold; with nothing
 * to say it waits for a message, `holdMs`, shutdown, the client leaving, or its door's release.
 */
export function hold(spec: HoldSpec): Hold {
  const held = new EngineHold();
  let subscribed: ReturnType<Engine['subscribe']>;
  try {
    subscribed = spec.engine.subscribe({
      transport: spec.transport,
      channels: spec.channels,
      cursor: spec.cursor,
      sentCursor: spec.sentCursor,
      request: spec.request,
      signal: spec.request.signal,
      handlers: held,
      lifetime: timeoutLifetime(spec.holdMs),
      once: true,
      context: spec.context,
    });
  } catch (error) {
    // A synchronous `authorize` threw: the same as a rejected one.
    held.fail(error);
    return held;
  }
  if (subscribed instanceof Promise) subscribed.then((result) => held.admitted(result), (error: unknown) => held.fail(error));
  else held.admitted(subscribed);
  return held;
}

const RELEASED: HoldOutcome = Object.freeze({ kind: 'released' });

// One executor for every hold's promise (no closure per hold): it hands its resolve over here.
let captured: ((outcome: HoldOutcome | PromiseLike<HoldOutcome>) => void) | undefined;
const capture = (resolve: (outcome: HoldOutcome | PromiseLike<HoldOutcome>) => void): void => {
  captured = resolve;
};

/** A hold and the engine's handlers for it. A class, not closures: tens of thousands may wait at once. */
class EngineHold implements Hold, SubscriberHandlers {
  readonly outcome: Promise<HoldOutcome>;
  private readonly resolve: (outcome: HoldOutcome | PromiseLike<HoldOutcome>) => void;
  private settled = false;
  private subscriber: Subscriber | undefined;
  /** Channels set before the engine handed the subscriber over (`authorize` was still running). */
  private laterChannels: readonly ParsedChannel[] | undefined;

  constructor() {
    this.outcome = new Promise(capture);
    this.resolve = captured!;
    captured = undefined;
  }

  batch(batch: Batch): void {
    this.settle({ kind: 'batch', batch });
  }

  end(reason: EndReason, cursor: string): void {
    this.settle({ kind: 'end', reason, cursor });
  }

  /** The engine's verdict: refused, or the subscriber to keep. */
  admitted(result: Subscriber | CometError): void {
    if (isCometError(result)) return this.settle({ kind: 'refused', error: result });
    // Settled already (released while `authorize` ran, or answered by the read): nothing is left to hold.
    if (this.settled) return result.end('done');
    this.subscriber = result;
    if (this.laterChannels) result.setChannels(this.laterChannels);
  }

  fail(error: unknown): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(Promise.reject(error));
  }

  setChannels(channels: readonly ParsedChannel[]): void {
    if (this.subscriber) this.subscriber.setChannels(channels);
    else this.laterChannels = channels;
  }

  release(): void {
    this.settle(RELEASED);
    this.subscriber?.end('done');
  }

  private settle(outcome: HoldOutcome): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(outcome);
  }
}
