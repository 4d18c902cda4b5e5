import type { Engine, Log } from '@cometkit/core/kit';
import type { BayeuxAdvice } from './message';
import { HeldConnects } from './meta/held-connects';
import type { ResolvedBayeuxOptions } from './options';
import type { BayeuxSession, SessionStore } from './sessions/session-store';

/**
 * What every meta channel's handler and publish share: one per endpoint, whatever door (HTTP,
 * WebSocket) a message came through. The session store holds what is shared between processes;
 * the connects this process holds are its own.
 */
export interface BayeuxServer {
  readonly options: ResolvedBayeuxOptions;
  readonly engine: Engine;
  readonly sessions: SessionStore;
  /** The endpoint's live list of what it serves (`websocket` joins it while a socket door is attached). */
  readonly connectionTypes: readonly string[];
  /** The `/meta/connect`s held in this process, by clientId. */
  readonly held: HeldConnects;
  readonly log: Log;
  /** The advice of a successful connect, frozen: every connect answer written as bytes shares it. */
  readonly retryAdvice: BayeuxAdvice;
  /** `,"advice":{…}`, as `JSON.stringify` writes {@link retryAdvice}. */
  readonly retryAdviceBytes: Buffer;
  /** An outgoing extension is configured: every reply must exist as an object for it to see. */
  readonly hasOutgoing: boolean;
}

/** The server of an endpoint; `connectionTypes` is the endpoint's live list. */
export function createBayeuxServer(options: ResolvedBayeuxOptions, log: Log, connectionTypes: readonly string[]): BayeuxServer {
  const retryAdvice: BayeuxAdvice = Object.freeze({ reconnect: 'retry', interval: options.intervalMs, timeout: options.timeoutMs });
  return {
    options,
    engine: options.hub.engine,
    sessions: options.sessions,
    connectionTypes,
    held: new HeldConnects(),
    log,
    retryAdvice,
    retryAdviceBytes: Buffer.from(`,"advice":${JSON.stringify(retryAdvice)}`),
    hasOutgoing: options.extensions.some((e) => e.outgoing),
  };
}

/** The session a message's clientId names, or undefined (no clientId, an absurd one, or an unknown one). */
export function sessionOf(server: BayeuxServer, message: Record<string, unknown>): Promise<BayeuxSession | undefined> {
  const id = message.clientId;
  return typeof id === 'string' && id.length <= 128 ? server.sessions.get(id) : NO_SESSION;
}

/** When a session expires that was touched now and is held `heldMs` from now. */
export function expiresAfter(server: BayeuxServer, heldMs: number): number {
  return Date.now() + heldMs + server.options.sessionTimeoutMs;
}

const NO_SESSION: Promise<undefined> = Promise.resolve(undefined);
