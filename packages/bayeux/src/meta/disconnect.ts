import { META, type BayeuxMessage } from '../message';
import { replyTo, unknownClient } from '../reply';
import { sessionOf, type BayeuxServer } from '../server';

/** `/meta/disconnect`: the session ends, and its held connect answers (telling the client not to reconnect). */
export async function disconnect(server: BayeuxServer, message: Record<string, unknown>): Promise<BayeuxMessage> {
  const channel = META.disconnect;
  const found = await sessionOf(server, message);
  if (!found) return unknownClient(message, channel);
  await server.sessions.delete(found.id);
  server.held.release(found.id, 'disconnected');
  const reply = replyTo(message, channel, true);
  reply.clientId = found.id;
  return reply;
}
