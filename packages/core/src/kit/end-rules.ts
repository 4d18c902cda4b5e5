/**
 * When a transport's responses end by themselves, and how often a quiet stream speaks. Each
 * transport may declare its own; the hub's options fill in the rest (`longPollTimeoutMs`,
 * `streams.byteBudget`, `streams.maxAgeMs`, `heartbeatMs`).
 */
export interface EndRules {
  /** How long a one-batch response is held with nothing to say before it answers empty. */
  readonly holdMs: number;
  /** Bytes a stream writes before it ends (its client resumes by cursor); `Infinity` for none. */
  readonly byteBudget: number;
  /** Age at which a stream ends. */
  readonly maxAgeMs: number;
  /**
   * A stream is never silent longer than this: it writes a heartbeat when idle. Also how a client
   * tells a dead stream from a quiet one, so a transport whose breakage fires no event (the forever
   * iframe) declares a short one.
   */
  readonly heartbeatMs: number;
}
