import type { Engine } from '../engine/engine';
import type { AuthorizeContext } from '../engine/settings';
import { cometError, type CometError } from '../errors';
import type { CometRequest } from '../neutral';

/** Channels a door asks to add to a subscriber it already has. */
export interface MoreChannels {
  /** Canonical names (patterns included) of the channels added. */
  readonly channels: readonly string[];
  /** The request (or socket's upgrade request) they come with, for `authorize`. */
  readonly request: CometRequest;
  /** The door's name (`ws`, `bayeux`), for `authorize`. */
  readonly transport: string;
  /** More for `authorize`: a Bayeux session, a message's `ext`. */
  readonly context?: Pick<AuthorizeContext, 'session' | 'ext'>;
}

const FORBIDDEN = cometError('forbidden', 'Not allowed to subscribe to these channels.');

/**
 * Whether a subscriber already admitted may add channels (a WebSocket `subscribe` frame, a Bayeux
 * `/meta/subscribe`): the same `authorize('subscribe')` that admission asks, for the channels
 * added. A refusal is a value (`forbidden`); it rejects only when `authorize` throws (a bug).
 */
export async function admitChannels(engine: Engine, more: MoreChannels): Promise<CometError | undefined> {
  if (more.channels.length === 0) return undefined;
  const { channels, request, transport, context } = more;
  return (await engine.authorize('subscribe', { ...context, channels, request, transport })) ? undefined : FORBIDDEN;
}
