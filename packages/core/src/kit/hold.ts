import type { Engine, SubscribeSpec } from '../engine/engine';
import type { EngineSettings } from '../engine/settings';
import { admit } from './admit';
import type { Batch, EndReason, Lifetime, Subscriber, SubscriberHandlers } from '../engine/subscriber';
import type { ParsedChannel } from '../log/channel';
import { HeldRequest, newAnswer, takeResolve } from './held-request';
import { cometError, type CometError } from '../errors';
import type { CometRequest, CometResponse } from '../neutral';
import type { PushRequest } from './push-request';
import { errorResponse } from '../responses';

/** What a one-batch transport decides for itself: how an answer and an error are framed. */
export interface OneBatchFraming {
  /**
   * The answer for a batch: its messages, and its gap if any, with the cursor to resume from.
   * `entries` is empty when the hold ended with nothing to say (timeout, shutdown).
   */
  answer(batch: Batch): CometResponse;
  /** The answer for a refusal. Default: the JSON error body with its status. */
  error?(error: CometError): CometResponse;
}

/** What {@link holdOneBatch} needs beyond the framing. */
export interface OneBatchHold {
  readonly engine: Engine;
  readonly request: CometRequest;
  readonly push: PushRequest;
  /** Transport name, for the stats. */
  readonly transport: string;
  /** How long to hold with nothing to say, clamped to `limits.minHoldMs`…`maxHoldMs`; 0 answers after the read. */
  readonly holdMs: number;
  /** More for `authorize`. */
  readonly context?: SubscribeSpec['context'];
}

/** What a poll whose client left settles with; the bridge writes nothing for it. */
const GONE = errorResponse(cometError('bad_request', 'The client went away.'));
const UNAVAILABLE = cometError('unavailable', 'The message log is unavailable; retry.');

/**
 * The long-poll rule: answer the first batch that has messages (or a gap) and end; with nothing
 * to say, hold until a message, the hold time, or shutdown, and answer empty with the cursor.
 * The built-in long-poll and JSONP routes hold this way, and Bayeux's `/meta/connect`.
 */
export function holdOneBatch(hold: OneBatchHold, framing: OneBatchFraming): Promise<CometResponse> {
  const { engine, push } = hold;
  const answer = newAnswer<CometResponse>();
  const waiter = new PollWaiter(framing, takeResolve());
  admit(engine, holdSubscription(hold, push, waiter), waiter);
  return answer;
}

/** What every hold asks the engine for: one batch, within the clamped hold time. */
function holdSubscription(
  hold: Pick<OneBatchHold, 'engine' | 'request' | 'transport' | 'holdMs' | 'context'>,
  push: Pick<SubscribeSpec, 'channels' | 'cursor' | 'sentCursor'>,
  handlers: SubscriberHandlers,
): SubscribeSpec {
  return {
    transport: hold.transport,
    channels: push.channels,
    cursor: push.cursor,
    sentCursor: push.sentCursor,
    request: hold.request,
    signal: hold.request.signal,
    handlers,
    lifetime: timeoutLifetime(clampHold(hold.engine.options, hold.holdMs)),
    once: true,
    context: hold.context,
  };
}

/** How a {@link hold} ended. */
export type HoldOutcome =
  /** A batch of messages (or a gap): the first one, and the only one. */
  | { readonly kind: 'batch'; readonly batch: Batch }
  /** Ended with nothing to say: the hold ran out (`timeout`), shutdown, the client left (`gone`), the log failed (`error`). */
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
  /** How long to hold with nothing to say, clamped to `limits.minHoldMs`…`maxHoldMs`; 0 answers after the read. */
  readonly holdMs: number;
}

/** One held request whose door makes its own answer (Bayeux's `/meta/connect`). */
export interface Hold {
  /** Settles once, with the first thing that happens; rejects when `authorize` threw (a bug of the app's). */
  readonly outcome: Promise<HoldOutcome>;
  /** Reads the channels given from its position on, in place of those it held with. */
  setChannels(channels: readonly ParsedChannel[]): void;
  /** Ends the hold now with `released` (what it had not answered is read again by the next one). */
  release(): void;
}

/**
 * The long-poll rule for a door that is not an HTTP route: {@link holdOneBatch}'s hold, answered
 * with an outcome the door frames itself, whose channels may change while it waits and which
 * its door may release.
 */
export function hold(spec: HoldSpec): Hold {
  const outcome = newAnswer<HoldOutcome>();
  const held = new OutcomeHold(outcome, takeResolve());
  admit(spec.engine, holdSubscription(spec, spec, held), held);
  return held;
}

/** A requested hold time within the hub's `limits.minHoldMs`…`maxHoldMs` (a Bayeux `advice.timeout` too). */
export function clampHold(settings: Pick<EngineSettings, 'minHoldMs' | 'maxHoldMs'>, holdMs: number): number {
  return Math.min(Math.max(settings.minHoldMs, holdMs), settings.maxHoldMs);
}

const lifetimes = new Map<number, Lifetime>();

/**
 * The lifetime of a hold of `ms` that ends with `timeout`: one frozen object per length (a hub
 * has one or two), since the engine only reads it, instead of one per held request.
 */
export function timeoutLifetime(ms: number): Lifetime {
  let lifetime = lifetimes.get(ms);
  if (lifetime === undefined) {
    if (lifetimes.size >= 64) lifetimes.clear();
    lifetimes.set(ms, (lifetime = Object.freeze({ ms, reason: 'timeout' })));
  }
  return lifetime;
}

/** The framing's answer for a refusal (the JSON error body unless it frames errors itself). */
export function refusal(framing: OneBatchFraming, error: CometError): CometResponse {
  return framing.error ? framing.error(error) : errorResponse(error);
}

/** One held poll, answered with its framing's HTTP response. */
class PollWaiter extends HeldRequest<CometResponse> {
  constructor(
    private readonly framing: OneBatchFraming,
    resolve: (response: CometResponse | PromiseLike<CometResponse>) => void,
  ) {
    super(resolve);
  }

  protected answerBatch(batch: Batch): CometResponse {
    return this.framing.answer(batch);
  }

  protected answerEnd(reason: EndReason, cursor: string): CometResponse {
    if (reason === 'gone') return GONE;
    if (reason === 'error') return refusal(this.framing, UNAVAILABLE);
    return this.framing.answer({ entries: [], cursor });
  }

  protected answerRefusal(error: CometError): CometResponse {
    return refusal(this.framing, error);
  }
}

const RELEASED: HoldOutcome = Object.freeze({ kind: 'released' });

/** A {@link Hold}: its outcome, and the subscriber it keeps so its door can change channels or release it. */
class OutcomeHold extends HeldRequest<HoldOutcome> implements Hold {
  private subscriber: Subscriber | undefined;
  /** Channels set before the engine handed the subscriber over (`authorize` was still running). */
  private laterChannels: readonly ParsedChannel[] | undefined;

  constructor(
    readonly outcome: Promise<HoldOutcome>,
    resolve: (outcome: HoldOutcome | PromiseLike<HoldOutcome>) => void,
  ) {
    super(resolve);
  }

  protected answerBatch(batch: Batch): HoldOutcome {
    return { kind: 'batch', batch };
  }

  protected answerEnd(reason: EndReason, cursor: string): HoldOutcome {
    return { kind: 'end', reason, cursor };
  }

  protected answerRefusal(error: CometError): HoldOutcome {
    return { kind: 'refused', error };
  }

  override admitted(subscriber: Subscriber): void {
    // Released while `authorize` ran: nothing is left to hold.
    if (this.answered) return subscriber.end('done');
    this.subscriber = subscriber;
    if (this.laterChannels) subscriber.setChannels(this.laterChannels);
  }

  setChannels(channels: readonly ParsedChannel[]): void {
    if (this.subscriber) this.subscriber.setChannels(channels);
    else this.laterChannels = channels;
  }

  release(): void {
    this.settle(RELEASED);
    this.subscriber?.end('done');
  }
}
