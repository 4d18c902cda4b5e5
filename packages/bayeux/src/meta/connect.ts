import { isCometError, type CometRequest } from '@cometkit/core';
import { parseCursor, type Batch } from '@cometkit/core/kit';
import { GONE_ANSWER, only, type Answer } from '../answer';
import { clampHold, hold, type HoldOutcome } from '@cometkit/core/kit';
import { bayeuxError, isPlainObject, META, type BayeuxAdvice, type BayeuxMessage } from '../message';
import { failure, failureWithId, HANDSHAKE_ADVICE, replyIdOf, replyWithId, unknownClient } from '../reply';
import { expiresAfter, sessionOf, type BayeuxServer } from '../server';
import type { BayeuxSession, SentAnswer, SessionPatch } from '../sessions/session-store';
import type { SocketQuota } from '../socket/socket-quota';
import { ConnectAnswer, deliveryOf, forgetAnswer } from './connect-answer';
import { HeldConnect } from './held-connects';
import { channelsOf } from './session-channels';

type Message = Record<string, unknown>;

/** Unacknowledged answers kept per session (the ack extension may name any of them). */
const MAX_SENT = 4;

/**
 * `/meta/connect`: acknowledge what the client has, then hold until its session's channels have
 * messages after its cursor (or the hold runs out), and answer with them. A connect batched with
 * other messages (`alone` false) is answered at once: their replies must not wait. `onHeld` is
 * called once the connect is held (a socket then goes on to its next frame). Over a WebSocket,
 * `quota` bounds the connects one socket holds at once.
 */
export async function connect(server: BayeuxServer, message: Message, request: CometRequest, alone: boolean, onHeld?: () => void, quota?: SocketQuota): Promise<Answer> {
  const channel = META.connect;
  const found = await sessionOf(server, message);
  if (!found) return only(unknownClient(message, channel));
  const type = message.connectionType;
  if (typeof type !== 'string') return only(failure(message, channel, bayeuxError(400, ['connectionType'], 'Missing field')));
  if (!server.connectionTypes.includes(type)) return only(failure(message, channel, bayeuxError(301, [type], 'Connection type not supported')));
  if (quota && !quota.holdConnect(found.id)) {
    return only(failure(message, channel, bayeuxError(429, [String(server.options.maxConnectsPerSocket)], 'Too many connects on this socket'), { reconnect: 'none' }));
  }
  const holdMs = alone ? clampHold(server.engine.options, askedTimeout(message) ?? server.options.timeoutMs) : 0;
  const ended = (): void => quota?.connectEnded(found.id);
  const session = await server.sessions.update(found.id, acknowledge(found, message, expiresAfter(server, holdMs))).catch((error: unknown) => {
    ended();
    throw error;
  });
  if (!session) {
    ended();
    return only(unknownClient(message, channel));
  }

  // One outstanding connect per client: the one held before answers now, before this one is held.
  server.held.release(session.id, 'superseded');
  const channels = channelsOf(session.subscriptions);
  const from = parseCursor(session.cursor);
  const held = new HeldConnect(
    session.id,
    replyIdOf(message),
    channels.key,
    hold({
      engine: server.engine,
      request,
      transport: 'bayeux',
      channels: channels.parsed,
      cursor: isCometError(from) ? undefined : from,
      sentCursor: session.cursor,
      holdMs,
      // Only `authorize` reads the context: without one, nothing is made for it.
      context: server.engine.options.hasAuthorize ? { session: { clientId: session.id }, ext: message.ext } : undefined,
    }),
  );
  server.held.add(held);
  onHeld?.();
  // While it is held, what waits keeps the held connect alone: not this message, nor a suspended frame.
  return held.outcome.then((outcome) => {
    ended();
    return answerOutcome(server, held, outcome);
  });
}

/** The `advice.timeout` the client asked for, if it asked for a usable one. */
function askedTimeout(message: Message): number | undefined {
  const advice = message.advice;
  if (!isPlainObject(advice)) return undefined;
  const { timeout } = advice;
  return typeof timeout === 'number' && Number.isFinite(timeout) && timeout >= 0 ? timeout : undefined;
}

/**
 * The connect's change to its session: where the next read starts once it has acknowledged
 * what it acknowledges, and when the session expires.
 */
function acknowledge(found: BayeuxSession, message: Message, expiresAt: number): SessionPatch {
  const ext = message.ext;
  const acked = found.ack && isPlainObject(ext) && typeof ext.ack === 'number' ? ext.ack : undefined;
  if (acked === undefined) {
    // Without the ack extension, a new connect says the client has the last answer that was
    // written in full (an answer cut off on the way was taken out of `sent` when it failed).
    const last = found.sent[found.sent.length - 1];
    return { cursor: last ? last.cursor : found.cursor, sent: NONE_SENT, expiresAt };
  }
  const named = found.sent.find((s) => s.batch === acked);
  return { cursor: named ? named.cursor : found.cursor, sent: found.sent.filter((s) => s.batch > acked), expiresAt };
}

/** A connect that acknowledged everything leaves this in its session (stores only read a patch). */
const NONE_SENT: readonly SentAnswer[] = Object.freeze([]);

/**
 * The held connect's answer, once its hold has ended: a batch of messages (none when the hold ran
 * out) is recorded in its session before it is sent; any other ending answers without messages.
 */
async function answerOutcome(server: BayeuxServer, held: HeldConnect, outcome: HoldOutcome): Promise<Answer> {
  server.held.ended(held);
  const batch = batchOf(outcome);
  if (!batch) {
    const reply = endingReply(server, held, outcome);
    return reply ? only(reply) : GONE_ANSWER;
  }
  const { clientId } = held;
  if (batch.gap) {
    // History no longer covers this session: say so, end the session, and have the client start over.
    const reply = succeeded(held, { ...HANDSHAKE_ADVICE });
    reply.ext = { gap: { reason: batch.gap.reason, from: batch.gap.from } };
    await server.sessions.delete(clientId);
    return only(reply);
  }
  const before = await server.sessions.get(clientId);
  if (!before) return only(unknownSession(held));
  if (channelsOf(before.subscriptions).key !== held.subscriptionKey) {
    // Another process changed the subscriptions while this one held the connect with the old
    // ones: its answer could pass over messages of a channel just added. Answer without
    // messages and leave the cursor, so the next connect reads from it with the new ones.
    return only(succeeded(held, { ...server.retryAdvice }));
  }
  const number = before.batch + 1;
  const answer: SentAnswer = { batch: number, cursor: batch.cursor };
  const sent = before.sent.length === 0 ? [answer] : [...before.sent, answer].slice(-MAX_SENT);
  const after = await server.sessions.update(clientId, { batch: number, sent, expiresAt: expiresAfter(server, 0) });
  if (!after) return only(unknownSession(held));
  // Written from these fields, the reply made only if asked for (see ConnectAnswer).
  if (!server.hasOutgoing) return new ConnectAnswer(server, clientId, held.replyId, after.ack, number, batch);
  // Outgoing extensions see (and may change) the reply and every delivery as objects.
  const reply = succeeded(held, { ...server.retryAdvice });
  if (after.ack) reply.ext = { ack: number };
  return { replies: [reply], deliveries: batch.entries.map(deliveryOf), undelivered: () => void forgetAnswer(server.sessions, clientId, number) };
}

/** The batch a hold ended with: its messages, or none when it ran out or the hub is shutting down. */
function batchOf(outcome: HoldOutcome): Batch | undefined {
  if (outcome.kind === 'batch') return outcome.batch;
  if (outcome.kind === 'end' && outcome.reason !== 'gone' && outcome.reason !== 'error') return { entries: [], cursor: outcome.cursor };
  return undefined;
}

/** The reply of a hold that ended without a batch: released by the server, refused, its client gone, or the log failing. */
function endingReply(server: BayeuxServer, held: HeldConnect, outcome: HoldOutcome): BayeuxMessage | undefined {
  const { clientId, replyId } = held;
  const channel = META.connect;
  if (outcome.kind === 'released') {
    if (held.releasedBecause === 'expired') return unknownSession(held);
    return succeeded(held, held.releasedBecause === 'disconnected' ? { reconnect: 'none', interval: 0 } : { ...server.retryAdvice });
  }
  if (outcome.kind === 'refused') {
    if (outcome.error.code === 'bad_request') return undefined;
    if (outcome.error.code === 'forbidden') return failureWithId(replyId, channel, bayeuxError(403, [clientId], 'Subscription denied'), { reconnect: 'none' });
    return failureWithId(replyId, channel, bayeuxError(503, [], outcome.error.message), { reconnect: 'retry', interval: 2000 });
  }
  if (outcome.kind === 'end' && outcome.reason === 'error') {
    return failureWithId(replyId, channel, bayeuxError(503, [], 'The message log is unavailable; retry'), { reconnect: 'retry', interval: 1000 });
  }
  // The client left while its connect was held (`gone`, or `bad_request` while being authorized).
  return undefined;
}

function succeeded(held: HeldConnect, advice: BayeuxAdvice): BayeuxMessage {
  const reply = replyWithId(held.replyId, META.connect, true);
  reply.clientId = held.clientId;
  reply.advice = advice;
  return reply;
}

/** The session ended while its connect was held (expired, or deleted by another process). */
function unknownSession(held: HeldConnect): BayeuxMessage {
  return failureWithId(held.replyId, META.connect, bayeuxError(402, [held.clientId], 'Unknown client'), HANDSHAKE_ADVICE);
}
