import type { ClientEvents, ClientState, CometMessage, TransportName } from '../types';

/** What the tabs sharing a connection say to each other over their BroadcastChannel. */
export type Note =
  /** A tab's channels, after they changed or when a new leader asks. */
  | { t: 'subs'; id: string; names: string[] }
  /** A new leader: every tab, say your channels. */
  | { t: 'hello' }
  /** A message the leader's connection delivered; its cursor is the shared cursor. */
  | { t: 'msg'; m: CometMessage }
  /** An event of the leader's connection. */
  | { t: 'ev'; n: keyof ClientEvents; v: unknown }
  /** Where the leader's connection stands: its cursor (past every `msg` sent before), state and transport. */
  | { t: 'sync'; c?: string; s: ClientState; tr?: TransportName }
  /** A follower's `reconnect()`, for the leader to do. */
  | { t: 'again' };

/** The connection events a leader passes on (a tab's own `closed` is its own business). */
export const SHARED_EVENTS = ['state', 'connected', 'disconnected', 'transport', 'gap', 'error'] as const;
