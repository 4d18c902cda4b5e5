import type { CometRequest } from '@cometkit/core';
import { only, type Answer } from './answer';
import { runExtensions } from './extensions';
import { refuseOversized } from './field-limits';
import { bayeuxError, META, type BayeuxMessage } from './message';
import { connect } from './meta/connect';
import { disconnect } from './meta/disconnect';
import { handshake } from './meta/handshake';
import { changeSubscriptions } from './meta/subscriptions';
import type { ExtensionContext } from './options';
import { publish } from './publish';
import { failure } from './reply';
import type { BayeuxServer } from './server';
import type { SocketQuota } from './socket/socket-quota';

type Message = Record<string, unknown>;

/**
 * Answers one request's messages (an HTTP body, a WebSocket frame), each in order through the
 * incoming extensions and its channel's handler, then the replies and deliveries through the
 * outgoing ones. `rawLength` is the request's size (a small one is not measured message by
 * message). `onHeld` is called once a connect among them is held (or, when none is, once all are
 * answered): a socket goes on to its next frame then, as an HTTP client sends its next request
 * beside a held poll. `quota` is the socket's share of the hub's limits (the WebSocket door).
 */
export function answerMessages(
  server: BayeuxServer,
  messages: readonly object[],
  request: CometRequest,
  rawLength: number,
  onHeld?: () => void,
  quota?: SocketQuota,
): Promise<Answer> {
  const list = messages as Message[];
  const first = list[0];
  // The common request, one message and no extension: its answer is the message's own (checked
  // as the loop below would), and for a connect no promise but the held connect's own.
  if (list.length === 1 && server.options.extensions.length === 0 && typeof first?.channel === 'string' && rawLength <= server.options.maxMessageBytes) {
    const oversized = refuseOversized(first, first.channel, server.options, rawLength);
    if (oversized) return Promise.resolve(only(oversized));
    return answerOne(server, first, request, true, onHeld, quota);
  }
  return answerEach(server, list, request, rawLength, onHeld, quota);
}

/** One message, after the incoming extensions: its channel's handler. */
function answerOne(server: BayeuxServer, message: Message, request: CometRequest, alone: boolean, onHeld: (() => void) | undefined, quota: SocketQuota | undefined): Promise<Answer> {
  switch (message.channel) {
    case META.handshake:
      return handshake(server, message, request, quota).then(only);
    case META.connect:
      return connect(server, message, request, alone, onHeld, quota);
    case META.subscribe:
      return changeSubscriptions(server, message, request, true).then(only);
    case META.unsubscribe:
      return changeSubscriptions(server, message, request, false).then(only);
    case META.disconnect:
      return disconnect(server, message).then(only);
    default:
      return publish(server, message, request).then(only);
  }
}

/** Several messages, or extensions to run: each message in order, through the extensions. */
async function answerEach(
  server: BayeuxServer,
  list: readonly Message[],
  request: CometRequest,
  rawLength: number,
  onHeld: (() => void) | undefined,
  quota: SocketQuota | undefined,
): Promise<Answer> {
  const { extensions, maxMessageBytes } = server.options;
  const replies: BayeuxMessage[] = [];
  let deliveries: string[] = [];
  let undelivered: (() => void) | undefined;
  let connects = 0;
  let gone = false;
  const handshakeInBatch = list.length > 1 && list.some((m) => m.channel === META.handshake);
  // Every message is smaller than the whole: only a large request is measured message by message.
  const measure = rawLength > maxMessageBytes;
  for (const original of list) {
    const channel = typeof original.channel === 'string' ? original.channel : undefined;
    if (channel === undefined) {
      replies.push(failure(original, '', bayeuxError(400, ['channel'], 'Missing or malformed field')));
      continue;
    }
    if (handshakeInBatch) {
      replies.push(failure(original, channel, bayeuxError(400, [], 'A handshake must be the only message of its request')));
      continue;
    }
    if (measure && JSON.stringify(original).length > maxMessageBytes) {
      replies.push(failure(original, channel, bayeuxError(413, [String(maxMessageBytes)], 'Message too large')));
      continue;
    }
    const oversized = refuseOversized(original, channel, server.options, rawLength);
    if (oversized) {
      replies.push(oversized);
      continue;
    }
    const context: ExtensionContext = { request, clientId: typeof original.clientId === 'string' ? original.clientId : undefined };
    const message: Message = extensions.length > 0 ? await runExtensions(extensions, 'incoming', original as BayeuxMessage, context) : original;
    if (typeof message.error === 'string') {
      replies.push(failure(message, channel, message.error));
      continue;
    }
    if (message.channel === META.connect && ++connects > 1) {
      replies.push(failure(message, META.connect, bayeuxError(400, [], 'One /meta/connect per request')));
      continue;
    }
    const answer = await answerOne(server, message, request, list.length === 1, onHeld, quota);
    if (answer.gone) gone = true;
    replies.push(...answer.replies);
    if (answer.deliveries.length > 0) deliveries = answer.deliveries;
    // Called as a method: a connect's answer keeps what it needs on itself, not in a closure.
    if (answer.undelivered) undelivered = () => answer.undelivered!();
  }
  if (server.hasOutgoing) {
    const context: ExtensionContext = { request };
    for (let i = 0; i < replies.length; i++) replies[i] = await runExtensions(extensions, 'outgoing', replies[i]!, context);
    const out: string[] = [];
    for (const delivery of deliveries) out.push(JSON.stringify(await runExtensions(extensions, 'outgoing', JSON.parse(delivery) as BayeuxMessage, context)));
    deliveries = out;
  }
  return { replies, deliveries, undelivered, gone: gone && replies.length === 0 };
}
