import type { Log } from '@cometkit/core/kit';
import type { BayeuxEndpoint } from './bayeux';
import type { BayeuxProtocol } from './protocol';

/** What a carrier other than HTTP (a WebSocket) needs of an endpoint, kept off its public surface. */
export interface EndpointInternals {
  readonly protocol: BayeuxProtocol;
  /** The endpoint's live list of connection types (handshakes list it, connects are checked against it). */
  readonly connectionTypes: string[];
  readonly log: Log;
}

const internals = new WeakMap<BayeuxEndpoint, EndpointInternals>();

export function registerEndpoint(endpoint: BayeuxEndpoint, parts: EndpointInternals): void {
  internals.set(endpoint, parts);
}

/** The internals of an endpoint `createBayeux` built; a TypeError for anything else. */
export function internalsOf(endpoint: BayeuxEndpoint): EndpointInternals {
  const parts = internals.get(endpoint);
  if (!parts) throw new TypeError('cometkit: attachBayeuxWebSocket takes an endpoint built by createBayeux');
  return parts;
}
