import { isCometError, parseChannel, type ParsedChannel } from '@cometkit/core';

/** What kind of channel a Bayeux name is. */
export type BayeuxChannel =
  | { readonly kind: 'meta'; readonly name: string }
  | { readonly kind: 'service'; readonly name: string }
  | { readonly kind: 'hub'; readonly parsed: ParsedChannel }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * Reads a Bayeux channel name: `/meta/…` and `/service/…` are Bayeux's own (matched by their first
 * segment exactly, so `/meta/subscribe/x` is an unknown meta channel, never `/meta/subscribe`);
 * everything else is a hub channel without its leading slash (`/chat/room` is `chat/room`).
 */
export function readBayeuxChannel(name: unknown, allowPattern: boolean): BayeuxChannel {
  if (typeof name !== 'string' || !name.startsWith('/')) return { kind: 'invalid', reason: 'A channel is a string starting with "/".' };
  const first = name.slice(1).split('/', 1)[0];
  if (first === 'meta') return { kind: 'meta', name };
  if (first === 'service') {
    // A service channel takes the hub's grammar too (under a name the hub would accept).
    const parsed = parseChannel(`x${name.slice(8)}`, false);
    return isCometError(parsed) ? { kind: 'invalid', reason: parsed.message } : { kind: 'service', name };
  }
  const parsed = parseChannel(name.slice(1), allowPattern);
  return isCometError(parsed) ? { kind: 'invalid', reason: parsed.message } : { kind: 'hub', parsed };
}

/** The Bayeux name of a hub channel: `chat/room` → `/chat/room`. */
export function bayeuxName(hubName: string): string {
  return `/${hubName}`;
}
