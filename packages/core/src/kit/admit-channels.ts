import type { Engine } from '../engine/engine';
import type { AuthorizeContext } from '../engine/settings';
import { checkAccess } from '../engine/access';
import { isCometError, type CometError } from '../errors';
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

/**
 * Whether a subscriber already admitted may add channels (a WebSocket `subscribe` frame, a Bayeux
 * `/meta/subscribe`): the same check admission makes (`authenticate`, the rules,
 * `authorize('subscribe')`), for the channels added. A refusal is a value (`unauthorized`,
 * `forbidden`); it rejects only when a hook throws (a bug).
 */
export async function admitChannels(engine: Engine, more: MoreChannels): Promise<CometError | undefined> {
  if (more.channels.length === 0 || !engine.options.hasAuthorize) return undefined;
  const access = await checkAccess(engine.options, 'subscribe', more);
  return isCometError(access) ? access : undefined;
}
