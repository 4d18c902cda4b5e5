import type { Broker } from './log/broker';
import { parseChannel } from './log/channel';
import { createEngine, type Engine } from './engine/engine';
import { isCometError } from './errors';
import { createMemoryBroker } from './log/memory-broker';
import type { CometHandler } from './neutral';
import { resolveOptions, type CometOptions, type ResolvedOptions } from './options';
import { createRouter, type EndpointOptions } from './http/router';
import type { CometStats } from './engine/stats';
import { builtinTransports } from './http/transports';

/** Result of a publish. */
export interface PublishResult {
  /** The cursor of the published message. */
  cursor: string;
}

/** A Comet hub: build it once, mount it in any number of apps, publish from app code. */
export interface CometHub {
  /** Handles every route under a mount point (`{mount}/poll`, `{mount}/publish`, …). */
  readonly handle: CometHandler;
  /**
   * True when `path` (below a mount) names one of the hub's routes. Adapters mounted at the root
   * of an app use it to pass every other path on to the app.
   */
  serves(path: string): boolean;
  /** A handler for one push route whose channels come from the route, not the client. */
  endpoint(options: EndpointOptions): CometHandler;
  /** Publishes `data` (any JSON value) to one exact channel. Throws a CometError for a bad channel. */
  publish(channel: string, data: unknown): Promise<PublishResult>;
  /** A snapshot of the hub's counters. */
  stats(): CometStats;
  /**
   * Graceful shutdown: refuses new requests (503), ends every held request so its client resumes
   * elsewhere with its cursor, and resolves once none is left (at most `closeTimeoutMs`).
   */
  close(): Promise<void>;
  /** The fan-out engine, for entry points of your own (Bayeux, WebSocket, …) on the same channels. */
  readonly engine: Engine;
  /** The options in force, defaults filled in. */
  readonly options: ResolvedOptions;
}

/** Builds a hub: the engine over a broker (in-memory unless one is given), and the HTTP routes over it. */
export function createComet(options: CometOptions = {}): CometHub {
  const resolved = resolveOptions(options);
  const broker: Broker = options.broker ?? createMemoryBroker(options.history);
  const engine = createEngine({ broker, options: resolved });
  const router = createRouter({
    engine,
    options: resolved,
    // JSONP only when asked for: a script tag from any site may load it.
    transports: [...builtinTransports.filter((t) => resolved.jsonp || t.name !== 'jsonp'), ...(options.transports ?? [])],
    endRules: options.endRules,
    cors: options.cors !== undefined,
  });
  let closing: Promise<void> | undefined;

  return {
    handle: router.handle,
    serves: router.serves,
    endpoint: router.endpoint,
    engine,
    options: resolved,
    stats: engine.stats,
    async publish(channel, data) {
      const parsed = parseChannel(channel, false);
      if (isCometError(parsed)) throw parsed;
      return { cursor: (await engine.publish(parsed, data)).cursor };
    },
    close() {
      // The hub closes only a broker it made: one passed in may be shared with other hubs.
      closing ??= engine.close().then(() => (options.broker ? undefined : broker.close()));
      return closing;
    },
  };
}
