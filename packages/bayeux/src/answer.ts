import type { BayeuxMessage } from './message';

/**
 * What one request's messages come to: the replies in order, then the deliveries (JSON text).
 * Every door writes it as one JSON array (HTTP also as a JSONP script, WebSocket as one frame).
 */
export interface Answer {
  readonly replies: BayeuxMessage[];
  readonly deliveries: string[];
  /**
   * Called by the door when the request turned out not to be answered after all (its client went
   * away before or while the answer was written): the messages it carried are read again.
   * Called as a method of its answer (a connect's answer is a class that keeps what it needs).
   */
  undelivered?(): void;
  /** The client went away while its connect was held: write nothing. */
  readonly gone?: boolean;
  /**
   * The answer's JSON array as bytes, written straight from what it is made of (a connect's
   * answer: its reply's few fields, and the deliveries' bytes that every session at the same
   * position shares). Without it the array is {@link answerText}.
   */
  body?(): Buffer;
}

/** The answer of one reply and nothing else. */
export const only = (reply: BayeuxMessage): Answer => ({ replies: [reply], deliveries: [] });

/** What a connect whose client left comes to. */
export const GONE_ANSWER: Answer = Object.freeze({ replies: [], deliveries: [], gone: true });

/** An answer as one JSON array: the replies in order, then the deliveries. */
export function answerText(answer: Answer): string {
  return `[${answer.replies.map((r) => JSON.stringify(r)).concat(answer.deliveries).join(',')}]`;
}

/** {@link answerText}, or the answer's own bytes when it writes itself. */
export function answerBody(answer: Answer): string | Buffer {
  return answer.body ? answer.body() : answerText(answer);
}
