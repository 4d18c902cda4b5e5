import type { CometRequest } from '@cometkit/core';
import { admitChannels } from '@cometkit/core/kit';
import { readBayeuxChannel } from '../channel-name';
import { bayeuxError, META, type BayeuxMessage } from '../message';
import { failure, replyTo, unknownClient } from '../reply';
import { sessionOf, type BayeuxServer } from '../server';
import type { BayeuxSession } from '../sessions/session-store';
import { channelsOf } from './session-channels';

type Message = Record<string, unknown>;

/**
 * `/meta/subscribe` and `/meta/unsubscribe`: the session's channel set changes in the store (a
 * set operation, so two processes may change it at once), `authorize('subscribe')` letting it,
 * and a connect this process holds for the session reads with the new set from its position on.
 * `/service/…` channels are accepted and not recorded: nothing is ever broadcast on them.
 */
export async function changeSubscriptions(server: BayeuxServer, message: Message, request: CometRequest, subscribe: boolean): Promise<BayeuxMessage> {
  const channel = subscribe ? META.subscribe : META.unsubscribe;
  const { options, sessions } = server;
  const found = await sessionOf(server, message);
  if (!found) return unknownClient(message, channel);
  const fail = (error: string): BayeuxMessage => withSubscription(failure(message, channel, error), message, found.id);
  const list = subscriptionList(message);
  if (!list) return fail(bayeuxError(400, ['subscription'], 'Missing or malformed field'));
  const names: string[] = [];
  for (const name of list) {
    const read = readBayeuxChannel(name, true);
    if (read.kind === 'invalid') return fail(bayeuxError(405, [name], 'Invalid channel'));
    if (read.kind === 'meta') return fail(bayeuxError(403, [name], 'Meta channels cannot be subscribed to'));
    if (read.kind === 'hub') names.push(read.parsed.name);
  }
  let updated: BayeuxSession | undefined = found;
  if (subscribe && names.length > 0) {
    const total = new Set([...found.subscriptions, ...names]).size;
    if (total > options.maxSubscriptions) return fail(bayeuxError(409, [String(options.maxSubscriptions)], 'Too many subscriptions'));
    const refused = await admitChannels(server.engine, { channels: names, request, transport: 'bayeux', context: { session: { clientId: found.id }, ext: message.ext } });
    if (refused) return fail(bayeuxError(403, [found.id, ...list], 'Subscription denied'));
    updated = await sessions.subscribe(found.id, names);
  } else if (names.length > 0) {
    updated = await sessions.unsubscribe(found.id, names);
  }
  if (!updated) return unknownClient(message, channel);
  server.held.get(found.id)?.setChannels(channelsOf(updated.subscriptions));
  return withSubscription(replyTo(message, channel, true), message, found.id);
}

/** The subscription field as a list of names, or undefined when missing or malformed. */
function subscriptionList(message: Message): string[] | undefined {
  const field = message.subscription;
  const list = typeof field === 'string' ? [field] : field;
  if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string')) return undefined;
  return list as string[];
}

/** The reply with the session's clientId and the subscription field as the request gave it. */
function withSubscription(reply: BayeuxMessage, message: Message, clientId: string): BayeuxMessage {
  reply.clientId = clientId;
  const field = message.subscription;
  if (typeof field === 'string' || Array.isArray(field)) reply.subscription = field as string | string[];
  return reply;
}
