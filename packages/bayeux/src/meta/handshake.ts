import { isCometError, type CometRequest } from '@cometkit/core';
import { checkAccess, formatCursor } from '@cometkit/core/kit';
import { newClientId } from '../client-id';
import { bayeuxError, isPlainObject, META, type BayeuxMessage } from '../message';
import { failure, replyTo } from '../reply';
import { expiresAfter, type BayeuxServer } from '../server';
import type { SocketQuota } from '../socket/socket-quota';

/**
 * `/meta/handshake`: a new session, reading from the head of the hub's log, for a client that
 * speaks a connection type this endpoint serves and that `authorize('handshake')` lets in. Over a
 * WebSocket, `quota` bounds the live sessions one socket may have made.
 */
export async function handshake(server: BayeuxServer, message: Record<string, unknown>, request: CometRequest, quota?: SocketQuota): Promise<BayeuxMessage> {
  const channel = META.handshake;
  const { connectionTypes, engine, options, sessions } = server;
  const types = message.supportedConnectionTypes;
  if (!Array.isArray(types) || !types.every((t) => typeof t === 'string')) {
    return failure(message, channel, bayeuxError(400, ['supportedConnectionTypes'], 'Missing or malformed field'));
  }
  if (!types.some((t) => connectionTypes.includes(t))) {
    const reply = failure(message, channel, bayeuxError(301, types.slice(0, 8), 'Connection types not supported'), { reconnect: 'none' });
    reply.supportedConnectionTypes = [...connectionTypes];
    return reply;
  }
  const ext = message.ext;
  // Who the request is (`authenticate`) and whether it may open a session (`authorize('handshake')`).
  const access = await checkAccess(engine.options, 'handshake', { channels: [], request, transport: 'bayeux', context: { ext } });
  if (isCometError(access)) {
    const denied = access.code === 'unauthorized' ? 'Handshake denied: sign in first' : 'Handshake denied';
    return failure(message, channel, bayeuxError(403, [], denied), { reconnect: 'none' });
  }
  if ((await sessions.count()) >= options.maxSessions) {
    return failure(message, channel, bayeuxError(503, [], 'Too many sessions; retry later'), { reconnect: 'handshake', interval: 2000 });
  }
  if (quota && !(await quota.roomForSession(sessions))) {
    return failure(message, channel, bayeuxError(429, [String(options.maxSessionsPerSocket)], 'Too many sessions on this socket'), { reconnect: 'none' });
  }
  const ack = options.ack && isPlainObject(ext) && ext.ack === true;
  const id = newClientId();
  const created = await sessions.create({
    id,
    subscriptions: [],
    cursor: formatCursor(engine.head()),
    sent: [],
    batch: 0,
    ack,
    expiresAt: expiresAfter(server, 0),
  });
  if (!created) return failure(message, channel, bayeuxError(500, [], 'Could not create a session; retry'), { reconnect: 'handshake', interval: 1000 });
  quota?.sessionMade(id);
  const reply = replyTo(message, channel, true);
  reply.version = '1.0';
  reply.supportedConnectionTypes = [...connectionTypes];
  reply.clientId = id;
  reply.advice = { ...server.retryAdvice };
  if (ack) reply.ext = { ack: true };
  return reply;
}
