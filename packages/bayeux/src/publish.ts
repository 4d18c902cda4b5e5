import { isCometError, type CometRequest } from '@cometkit/core';
import { readBayeuxChannel } from './channel-name';
import { publishFromClient } from '@cometkit/core/kit';
import { bayeuxError, type BayeuxMessage } from './message';
import { failure, replyTo, unknownClient } from './reply';
import { sessionOf, type BayeuxServer } from './server';

/**
 * A message to any channel but `/meta/…`: published to the hub (`/chat/room` is the hub's
 * `chat/room`) through the kit's one publish path (`authorize('publish')`, a JSON value, the log)
 * for a live session. A `/service/…` message is the client talking to the server (extensions see
 * it): authorized the same way, never broadcast. Publishing to hub channels is refused unless the
 * endpoint's `publishing` option is on.
 */
export async function publish(server: BayeuxServer, message: Record<string, unknown>, request: CometRequest): Promise<BayeuxMessage> {
  const name = message.channel as string;
  const read = readBayeuxChannel(name, false);
  if (read.kind === 'meta') return failure(message, name, bayeuxError(404, [name], 'Unknown meta channel'));
  if (read.kind === 'invalid') return failure(message, name, bayeuxError(405, [name], 'Invalid channel'));
  if (read.kind === 'hub' && !server.options.publishing) return failure(message, name, bayeuxError(403, [name], 'Publishing is disabled'));
  const found = await sessionOf(server, message);
  if (!found) return unknownClient(message, name);
  if (!('data' in message)) return failure(message, name, bayeuxError(400, ['data'], 'Missing field'));
  const context = { session: { clientId: found.id }, ext: message.ext };
  if (read.kind === 'service') {
    const allowed = await server.engine.authorize('publish', { ...context, channels: [name], data: message.data, request, transport: 'bayeux' });
    return allowed ? replyTo(message, name, true) : publishDenied(message, name);
  }
  const published = await publishFromClient(server.engine, { channel: read.parsed, data: message.data, request, transport: 'bayeux', context });
  if (!isCometError(published)) return replyTo(message, name, true);
  if (published.code === 'forbidden') return publishDenied(message, name);
  server.log.error('publish to %s failed: %s', name, published.message);
  return failure(message, name, bayeuxError(407, [name], 'Publish failed'));
}

function publishDenied(message: Record<string, unknown>, name: string): BayeuxMessage {
  return failure(message, name, bayeuxError(403, [name], 'Publish denied'));
}
