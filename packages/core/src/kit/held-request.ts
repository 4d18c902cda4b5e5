import type { Batch, EndReason, Subscriber, SubscriberHandlers } from '../engine/subscriber';
import type { CometError } from '../errors';
import type { AdmissionDoor } from './admit';

/**
 * What every hold shares, whatever its answer is made of (an HTTP response for the poll routes,
 * an outcome for Bayeux's `/meta/connect`): it settles once, with the first thing that happens —
 * a batch, the subscriber's end, a refusal, or a bug in `authorize` (a rejection). A class, not
 * closures: tens of thousands may wait at once.
 */
export abstract class HeldRequest<T> implements SubscriberHandlers, AdmissionDoor<void> {
  private settled = false;

  constructor(private readonly resolve: (answer: T | PromiseLike<T>) => void) {}

  /** The answer for the first batch (messages, or a gap). */
  protected abstract answerBatch(batch: Batch): T;
  /** The answer for an end with nothing said: the hold ran out, shutdown, the client left, the log failed. */
  protected abstract answerEnd(reason: EndReason, cursor: string): T;
  /** The answer for a refusal at admission. */
  protected abstract answerRefusal(error: CometError): T;

  /** Whether the answer is given. */
  protected get answered(): boolean {
    return this.settled;
  }

  batch(batch: Batch): void {
    if (!this.settled) this.settle(this.answerBatch(batch));
  }

  end(reason: EndReason, cursor: string): void {
    // Answered already (`done` follows every batch): nothing is left to build.
    if (!this.settled) this.settle(this.answerEnd(reason, cursor));
  }

  /** Admitted: the answer comes with the first batch, or the hold's end. */
  admitted(_subscriber: Subscriber): void {}

  refused(error: CometError): void {
    if (!this.settled) this.settle(this.answerRefusal(error));
  }

  /** `authorize` threw: a bug of the app's, handed to the framework's error handling. */
  failed(bug: unknown): void {
    this.settle(Promise.reject(bug));
  }

  protected settle(answer: T | PromiseLike<T>): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(answer);
  }
}

// One executor for every hold's promise (no closure per hold): it hands its resolve over here.
let captured: ((answer: never) => void) | undefined;
const capture = (resolve: (answer: never) => void): void => {
  captured = resolve;
};

/**
 * A promise for a hold's answer and, through {@link takeResolve} right after, its resolve: one
 * shared executor instead of a closure per held request.
 */
export function newAnswer<T>(): Promise<T> {
  return new Promise<T>(capture as (resolve: (answer: T | PromiseLike<T>) => void) => void);
}

/** The resolve of the promise {@link newAnswer} just made. */
export function takeResolve<T>(): (answer: T | PromiseLike<T>) => void {
  const resolve = captured as unknown as (answer: T | PromiseLike<T>) => void;
  captured = undefined;
  return resolve;
}
