import type { Engine, SubscribeSpec } from '../engine/engine';
import type { Subscriber } from '../engine/subscriber';
import { isCometError, type CometError } from '../errors';

/**
 * What a door does with the outcome of one admission: exactly one of these is called, once, and
 * what it returns is what {@link admit} returns (or resolves with).
 */
export interface AdmissionDoor<T> {
  /** The subscriber is registered; the door starts writing to it. */
  admitted(subscriber: Subscriber): T;
  /** Refused as a value: `closing`, `too_many_connections`, `forbidden`, `bad_cursor`, … */
  refused(error: CometError): T;
  /** An application hook (`authorize`) threw: a bug, handed to the framework's error handling or logged. */
  failed(bug: unknown): T | Promise<T>;
}

/**
 * The one way a door subscribes a client. The engine answers at once when nothing has to be
 * awaited (no `authorize` hook: a held poll then costs no promise), later otherwise, and rejects
 * when a hook throws (it never throws itself); the door sees one shape whichever it was.
 */
export function admit<T>(engine: Engine, spec: SubscribeSpec, door: AdmissionDoor<T>): T | Promise<T> {
  const result = engine.subscribe(spec);
  if (result instanceof Promise) return result.then((outcome) => decide(outcome, door), (bug: unknown) => door.failed(bug));
  return decide(result, door);
}

function decide<T>(outcome: Subscriber | CometError, door: AdmissionDoor<T>): T {
  return isCometError(outcome) ? door.refused(outcome) : door.admitted(outcome);
}
