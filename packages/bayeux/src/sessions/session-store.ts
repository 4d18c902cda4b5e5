/**
 * Where Bayeux sessions live. A session is a few small fields (no queue of messages: those stay
 * in the hub's log, and the session only remembers its place in it), so a store shared by several
 * processes (Redis) lets any process answer any request of any session.
 */

/** One answer a session's client was sent and has not acknowledged yet. */
export interface SentAnswer {
  /** The answer's number (the CometD ack extension's batch id). */
  readonly batch: number;
  /** The cursor after the messages it carried. */
  readonly cursor: string;
}

/** A Bayeux session as the store keeps it: plain JSON-able data, a few hundred bytes. */
export interface BayeuxSession {
  /** The clientId: 32 base-36-ish characters from node:crypto (160 bits). */
  readonly id: string;
  /** Hub channel names and patterns subscribed (`chat/room`, `chat/*`: no leading slash). */
  readonly subscriptions: readonly string[];
  /** Where the next `/meta/connect` reads from: the end of the last answer the client has. */
  readonly cursor: string;
  /**
   * Answers sent and not yet acknowledged, oldest first (at most a few): the next connect
   * acknowledges them (or, with the ack extension, the one it names), and until then the
   * messages they carried are read again from {@link cursor}.
   */
  readonly sent: readonly SentAnswer[];
  /** Number of the last answer sent (0 before the first). */
  readonly batch: number;
  /** The client asked for the CometD ack extension at handshake, and the server granted it. */
  readonly ack: boolean;
  /** Time (ms since 1970) after which the session is gone unless touched. */
  readonly expiresAt: number;
}

/** Fields a store may change on a session in one step (never its id or subscriptions). */
export type SessionPatch = Partial<Pick<BayeuxSession, 'cursor' | 'sent' | 'batch' | 'expiresAt'>>;

/**
 * The store contract (see `@cometkit/bayeux/testing` for it as audits). Every method may be
 * asynchronous; a session whose `expiresAt` has passed is gone for every method, whether or not
 * `expire` has swept it yet. Subscriptions change by set operations, so a subscribe and an
 * unsubscribe of one session answered by two processes at once both take effect.
 */
export interface SessionStore {
  /** Adds a new session. False (and nothing stored) when one with this id exists. */
  create(session: BayeuxSession): Promise<boolean>;
  /** The session, or undefined when unknown or expired. */
  get(id: string): Promise<BayeuxSession | undefined>;
  /** Sets some fields; the session after the change, or undefined when unknown or expired. */
  update(id: string, patch: SessionPatch): Promise<BayeuxSession | undefined>;
  /** Adds channel names to the subscriptions (a set: no duplicates); the session after, or undefined. */
  subscribe(id: string, channels: readonly string[]): Promise<BayeuxSession | undefined>;
  /** Removes channel names from the subscriptions; the session after, or undefined. */
  unsubscribe(id: string, channels: readonly string[]): Promise<BayeuxSession | undefined>;
  /** Moves `expiresAt` (keeping everything else). False when unknown or expired. */
  touch(id: string, expiresAt: number): Promise<boolean>;
  /** Removes a session. False when there was none (or it had expired). */
  delete(id: string): Promise<boolean>;
  /** Removes every session whose `expiresAt` is at or before `now`; resolves with their ids. */
  expire(now: number): Promise<string[]>;
  /** Sessions currently stored (expired ones not yet swept may count). */
  count(): Promise<number>;
}
