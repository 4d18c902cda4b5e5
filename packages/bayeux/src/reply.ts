import { bayeuxError, type BayeuxAdvice, type BayeuxMessage } from './message';

/** The advice that sends a client back to `/meta/handshake` at once: its session is gone. */
export const HANDSHAKE_ADVICE: BayeuxAdvice = { reconnect: 'handshake', interval: 0 };

/** A message's `id` as a reply echoes it: a string or a number, else none. */
export function replyIdOf(message: Record<string, unknown>): string | number | undefined {
  const id = message.id;
  return typeof id === 'string' || typeof id === 'number' ? id : undefined;
}

/** The start of a reply to `message`: its channel, and its `id` echoed when it had one. */
export function replyTo(message: Record<string, unknown>, channel: string, successful: boolean): BayeuxMessage {
  return replyWithId(replyIdOf(message), channel, successful);
}

/** {@link replyTo} from the request's `id` alone (a held connect keeps only that of its message). */
export function replyWithId(id: string | number | undefined, channel: string, successful: boolean): BayeuxMessage {
  const reply: BayeuxMessage = { channel, successful };
  if (id !== undefined) reply.id = id;
  return reply;
}

/** An unsuccessful reply with a Bayeux error string, and advice when given. */
export function failure(message: Record<string, unknown>, channel: string, error: string, advice?: BayeuxAdvice): BayeuxMessage {
  return failureWithId(replyIdOf(message), channel, error, advice);
}

/** {@link failure} from the request's `id` alone. */
export function failureWithId(id: string | number | undefined, channel: string, error: string, advice?: BayeuxAdvice): BayeuxMessage {
  const reply = replyWithId(id, channel, false);
  reply.error = error;
  if (advice) reply.advice = { ...advice };
  return reply;
}

/** The reply to a message whose clientId names no live session: back to `/meta/handshake`. */
export function unknownClient(message: Record<string, unknown>, channel: string): BayeuxMessage {
  return failure(message, channel, bayeuxError(402, [String(message.clientId ?? '')], 'Unknown client'), HANDSHAKE_ADVICE);
}
