import type { Engine, SubscribeSpec } from '../engine/engine';
import type { EngineSettings } from '../engine/settings';
import { admit, type AdmissionDoor } from './admit';
import type { Batch, EndReason, Lifetime, SubscriberHandlers } from '../engine/subscriber';
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
  const answer = new Promise<CometResponse>(capture);
  const waiter = new PollWaiter(framing, captured!);
  captured = undefined;
  admit(
    engine,
    {
      transport: hold.transport,
      channels: push.channels,
      cursor: push.cursor,
      sentCursor: push.sentCursor,
      request: hold.request,
      signal: hold.request.signal,
      handlers: waiter,
      lifetime: timeoutLifetime(clampHold(engine.options, hold.holdMs)),
      once: true,
      context: hold.context,
    },
    waiter,
  );
  return answer;
}

/** A requested hold time within the hub's `limits.minHoldMs`…`maxHoldMs` (a Bayeux `advice.timeout` too). */
export function clampHold(settings: Pick<EngineSettings, 'minHoldMs' | 'maxHoldMs'>, holdMs: number): number {
  return Math.min(Math.max(settings.minHoldMs, holdMs), settings.maxHoldMs);
}

// One executor for every held poll's promise (no closure per poll): it hands its resolve over here.
let captured: ((response: CometResponse | PromiseLike<CometResponse>) => void) | undefined;
const capture = (resolve: (response: CometResponse | PromiseLike<CometResponse>) => void): void => {
  captured = resolve;
};

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

/** One held poll. A class, not closures: tens of thousands of these may wait at once. */
class PollWaiter implements SubscriberHandlers, AdmissionDoor<void> {
  private settled = false;

  constructor(
    private readonly framing: OneBatchFraming,
    private readonly resolve: (response: CometResponse | PromiseLike<CometResponse>) => void,
  ) {}

  batch(batch: Batch): void {
    this.settle(this.framing.answer(batch));
  }

  end(reason: EndReason, cursor: string): void {
    // Answered already (`done` follows every batch): nothing is left to build.
    if (this.settled) return;
    if (reason === 'gone') this.settle(GONE);
    else if (reason === 'error') this.refused(UNAVAILABLE);
    else this.settle(this.framing.answer({ entries: [], cursor }));
  }

  /** Admitted: the answer comes with the first batch, or the hold's end. */
  admitted(): void {}

  refused(error: CometError): void {
    this.settle(refusal(this.framing, error));
  }

  /** `authorize` threw: a bug of the app's, handed to the framework's error handling. */
  failed(bug: unknown): void {
    this.settle(Promise.reject(bug));
  }

  private settle(response: CometResponse | PromiseLike<CometResponse>): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(response);
  }
}
