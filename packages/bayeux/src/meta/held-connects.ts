import type { Hold, HoldOutcome } from '@cometkit/core/kit';
import type { SessionChannels } from './session-channels';

/** Why the server ended a held connect: a newer connect of its session, its disconnect, or its expiry. */
export type ReleaseReason = 'superseded' | 'disconnected' | 'expired';

/**
 * One held `/meta/connect`: what its answer needs and no more (the clientId, the message's `id`,
 * the subscriptions it holds with), not the message, so nothing of the request's body is kept
 * alive while it waits. A class, not closures: many thousands may be held at once.
 */
export class HeldConnect {
  /** Why the server released it, once it has. */
  releasedBecause: ReleaseReason | undefined;

  constructor(
    readonly clientId: string,
    /** The connect message's `id`, echoed in the answer. */
    readonly replyId: string | number | undefined,
    /** The subscriptions it reads with, as a key (a subscribe elsewhere changes them). */
    public subscriptionKey: string,
    private readonly hold: Hold,
  ) {}

  get outcome(): Promise<HoldOutcome> {
    return this.hold.outcome;
  }

  /** The session's subscriptions changed while held: messages of a new channel from its position on. */
  setChannels(channels: SessionChannels): void {
    this.subscriptionKey = channels.key;
    this.hold.setChannels(channels.parsed);
  }

  release(why: ReleaseReason): void {
    this.releasedBecause ??= why;
    this.hold.release();
  }
}

/** The connects this process holds, one per session (Bayeux: one outstanding connect per client). */
export class HeldConnects {
  private readonly byClient = new Map<string, HeldConnect>();

  /** Keeps `connect` as its session's (the one held before it was released first: see `connect`). */
  add(connect: HeldConnect): void {
    this.byClient.set(connect.clientId, connect);
  }

  /** The connect held for a session, if this process holds one. */
  get(clientId: string): HeldConnect | undefined {
    return this.byClient.get(clientId);
  }

  /** Ends a session's held connect, if any; its answer says why. */
  release(clientId: string, why: ReleaseReason): void {
    this.byClient.get(clientId)?.release(why);
  }

  /** A connect's hold ended: it is no longer its session's (unless a newer one already is). */
  ended(connect: HeldConnect): void {
    if (this.byClient.get(connect.clientId) === connect) this.byClient.delete(connect.clientId);
  }
}
