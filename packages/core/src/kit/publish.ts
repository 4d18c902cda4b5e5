import { checkAccess } from '../engine/access';
import type { Engine } from '../engine/engine';
import type { AuthorizeContext } from '../engine/settings';
import { cometError, isCometError, type CometError } from '../errors';
import type { LogEntry } from '../log/broker';
import type { ParsedChannel } from '../log/channel';
import type { CometRequest } from '../neutral';

/** A message a client sends to be published. */
export interface ClientMessage {
  /** An exact channel (parse it with `parseChannel(name, false)`: a pattern is no place to publish). */
  readonly channel: ParsedChannel;
  /** Any JSON value. */
  readonly data: unknown;
  /** The request (or socket's upgrade request) it came with, for `authorize`. */
  readonly request: CometRequest;
  /** The door's name (`publish`, `ws`, `bayeux`), for `authorize`. */
  readonly transport: string;
  /** More for `authorize`: a Bayeux session, a message's `ext`. */
  readonly context?: Pick<AuthorizeContext, 'session' | 'ext'>;
}

const CLOSING = cometError('closing', 'The server is shutting down; try again.');
const UNAVAILABLE = cometError('unavailable', 'The message log is unavailable; retry.');

/**
 * The one publish path of every door a client publishes through: not while the hub closes, only
 * what the request's identity may (`authenticate`, the rules, `authorize('publish')`), data that
 * is a JSON value, then the log. Refusals are values (`closing`, `unauthorized`, `forbidden`,
 * `bad_request`, `unavailable` when the log fails); it rejects only when a hook throws (a bug). The door screens the request first (its host and
 * origin, see `screenRequest`) and decides whether clients may publish at all.
 */
export async function publishFromClient(engine: Engine, message: ClientMessage): Promise<LogEntry | CometError> {
  if (engine.closing) return CLOSING;
  const { channel, data, request, transport, context } = message;
  const access = await checkAccess(engine.options, 'publish', { channels: [channel.name], request, transport, context: { ...context, data } });
  if (isCometError(access)) return access;
  try {
    return await engine.publish(channel, data);
  } catch (error) {
    return isCometError(error) ? error : UNAVAILABLE;
  }
}
