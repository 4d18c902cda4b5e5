import type { CometRequest } from '@cometkit/core';
import { readBayeuxChannel } from './channel-name';
import { bayeuxError, type BayeuxMessage } from './message';
import { failure, replyTo, unknownClient } from './reply';
import { sessionOf, type BayeuxServer } from './server';

/**
 * A message to any channel but `/meta/…`: published to the hub (`/chat/room` is the hub's
 * `chat/room`) for a live session that `authorize('publish')` lets. A `/service/…` message is
 * the client talking to the server (extensions see it), never broadcast.
 */
export async function publish(server: BayeuxServer, message: Record<string, unknown>, request: CometRequest): Promise<BayeuxMessage> {
  const name = message.channel as string;
  const read = readBayeuxChannel(name, false);
  if (read.kind === 'meta') return failure(message, name, bayeuxError(404, [name], 'Unknown meta channel'));
  if (read.kind === 'invalid') return failure(message, name, bayeuxError(405, [name], 'Invalid channel'));
  const found = await sessionOf(server, message);
  if (!found) return unknownClient(message, name);
  if (!('data' in message)) return failure(message, name, bayeuxError(400, ['data'], 'Missing field'));
  const channels = read.kind === 'hub' ? [read.parsed.name] : [name];
  const context = { channels, data: message.data, request, transport: 'bayeux', session: { clientId: found.id }, ext: message.ext };
  if (!(await server.engine.authorize('publish', context))) return failure(message, name, bayeuxError(403, [name], 'Publish denied'));
  if (read.kind === 'hub') {
    try {
      await server.engine.publish(read.parsed, message.data);
    } catch (error) {
      server.log.error('publish to %s failed: %O', name, error);
      return failure(message, name, bayeuxError(407, [name], 'Publish failed'));
    }
  }
  return replyTo(message, name, true);
}
