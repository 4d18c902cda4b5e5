import type { CometHandler } from '../neutral';

/** A neutral handler that may say which paths below its mount are its own (a hub is one). */
export interface MountableHandler {
  /** Handles one neutral request. */
  readonly handle: CometHandler;
  /**
   * True when `path` (below the mount) is one of this handler's routes. Adapters mounted at the root
   * of an app use it to pass every other path on; without it, every path is the handler's.
   */
  serves?(path: string): boolean;
}

/**
 * What an adapter mounts: a hub, any object with a neutral `handle` (a future Bayeux endpoint), or a
 * bare {@link CometHandler} function.
 */
export type Mountable = CometHandler | MountableHandler;

/** A {@link Mountable} in one shape, for adapters. */
export interface Mounted {
  readonly handle: CometHandler;
  serves(path: string): boolean;
  /**
   * How long a whole-body answer may wait for its client to take it (a hub's
   * `streams.drainTimeoutMs`; undefined for a mountable without one: the Node bridge's default).
   */
  readonly drainTimeoutMs: number | undefined;
}

const EVERY_PATH = (): boolean => true;

/** Brings any {@link Mountable} to one shape: `handle` bound to its object, `serves` always present. */
export function toMountable(mountable: Mountable): Mounted {
  if (typeof mountable === 'function') return { handle: mountable, serves: EVERY_PATH, drainTimeoutMs: undefined };
  if (typeof mountable?.handle !== 'function') {
    throw new TypeError('cometkit: mount a hub, a { handle(request) } object or a handler function');
  }
  const serves = mountable.serves;
  return {
    handle: (request) => mountable.handle(request),
    serves: serves ? (path) => serves.call(mountable, path) : EVERY_PATH,
    // A hub carries its resolved options; another mountable may carry none.
    drainTimeoutMs: (mountable as { options?: { drainTimeoutMs?: number } }).options?.drainTimeoutMs,
  };
}
