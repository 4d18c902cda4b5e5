import type { BayeuxAdvice, BayeuxMessage } from './message';

/** The advice that sends a client back to `/meta/handshake` at once: its session is gone. */
export const HANDSHAKE_ADVICE: BayeuxAdvice = { reconnect: 'handshake', interval: 0 };

/** The start of a reply to `message`: its channel, and its `id` echoed when it had one. */
export function replyTo(message: Record<string, unknown>, channel: string, successful: boolean): BayeuxMessage {
  const reply: BayeuxMessage = { channel, successful };
  const id = message.id;
  if (typeof id === 'string' || typeof id === 'number') reply.id = id;
  return reply;
}

/** An unsuccessful reply with a Bayeux error string, and advice when given. */
export function failure(message: Record<string, unknown>, channel: string, error: string, advice?: BayeuxAdvice): BayeuxMessage {
  const reply = replyTo(message, channel, false);
  reply.error = error;
  if (advice) reply.advice = { ...advice };
  return reply;
}
