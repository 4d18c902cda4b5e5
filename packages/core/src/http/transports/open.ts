import { isCometError, cometError, type CometError } from '../../errors';
import type { CometResponse } from '../../neutral';
import { errorResponse } from '../../responses';
import { cursorOf, type PushRequest } from '../../kit/push-request';
import { holdOneBatch, refusal, type OneBatchFraming } from '../../kit/hold';
import { streamFrom, type StreamFraming } from '../../kit/stream-writer';
import type { TransportContext } from '../transport';

/**
 * The push request of a built-in transport's `GET`: its method, the context's channels, and the
 * cursor (`cursorText`, by default the `cursor` query parameter), each checked in that order.
 */
export function readPush(context: TransportContext, cursorText: string | null | undefined = context.query.get('cursor')): PushRequest | CometError {
  if (context.request.method !== 'GET') return cometError('method_not_allowed', 'Use GET for this route.', { allow: ['GET', 'OPTIONS'] });
  if (isCometError(context.channels)) return context.channels;
  // The cursor itself, not readCursor's pair: one object less per poll.
  const cursor = cursorOf(cursorText);
  if (isCometError(cursor)) return cursor;
  return { channels: context.channels, cursor, sentCursor: cursor === undefined ? undefined : (cursorText as string) };
}

/**
 * The long-poll rule of a built-in transport: read method, channels and cursor from the request,
 * then {@link holdOneBatch} for the transport's hold time.
 */
export function openOneBatch(context: TransportContext, framing: OneBatchFraming, name: string): Promise<CometResponse> {
  const push = readPush(context);
  if (isCometError(push)) return Promise.resolve(refusal(framing, push));
  return holdOneBatch({ engine: context.engine, request: context.request, push, transport: name, holdMs: context.rules.holdMs }, framing);
}

/**
 * The streaming rule of a built-in transport: read method, channels and cursor (`cursorText`,
 * default the `cursor` query parameter), then {@link streamFrom} with the transport's end rules.
 */
export function openStream(
  context: TransportContext,
  framing: StreamFraming,
  prelude: string,
  cursorText?: string | null,
): CometResponse | Promise<CometResponse> {
  const push = cursorText === undefined ? readPush(context) : readPush(context, cursorText);
  if (isCometError(push)) return errorResponse(push);
  return streamFrom({ engine: context.engine, request: context.request, push, rules: context.rules, prelude }, framing);
}

