import { cometError, isCometError, type AuthorizeContext, type CometError, type CometRequest, type Engine, type LogEntry, type ParsedChannel } from '@cometkit/core';

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
const FORBIDDEN = cometError('forbidden', 'Not allowed to publish to this channel.');
const UNAVAILABLE = cometError('unavailable', 'The message log is unavailable; retry.');

/**
 * The one publish path of every door a client publishes through: not while the hub closes, only
 * what `authorize('publish')` allows, data that is a JSON value, then the log. Refusals are
 * values (`closing`, `forbidden`, `bad_request`, `unavailable` when the log fails); it rejects only
 * when `authorize` throws (a bug of the app's).
 */
export async function publishFromClient(engine: Engine, message: ClientMessage): Promise<LogEntry | CometError> {
  if (engine.closing) return CLOSING;
  const { channel, data, request, transport, context } = message;
  const allowed = await engine.authorize('publish', { ...context, channels: [channel.name], data, request, transport });
  if (!allowed) return FORBIDDEN;
  try {
    return await engine.publish(channel, data);
  } catch (error) {
    return isCometError(error) ? error : UNAVAILABLE;
  }
}
