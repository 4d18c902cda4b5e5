import type { Transport } from './transports/types';
import type { TransportName } from './types';

/** What to do after the current transport failed before it ever opened. */
export type NextStep = 'retry' | 'next' | 'wrapped';

/**
 * Chooses the transport. Starts with the first usable one in the configured order, and on failure:
 * - a transport that has opened once here is kept (retried with backoff): it works in this place;
 * - one that never opened gives way to the next at once; after the last, back to the first, with backoff;
 * - cross-origin, a CORS transport (SSE, stream, poll) that never opened means the server does not
 *   allow this origin: every CORS transport is dropped, leaving JSONP (unless `cors: true`);
 * - a buffered stream drops every streaming transport (see {@link dropStreams}).
 */
export class Selector {
  private list: Transport[];
  private index = 0;
  private readonly proven = new Set<TransportName>();
  /** Cross-origin with `cors` unset: a CORS transport that fails to open means there is no CORS. */
  private readonly autoCors: boolean;

  constructor(
    order: readonly TransportName[],
    all: Readonly<Record<TransportName, Transport>>,
    crossOrigin: boolean,
    cors: boolean | undefined,
  ) {
    const noCors = crossOrigin && cors === false;
    this.list = order.map((name) => all[name]).filter((t) => t && t.usable(crossOrigin) && !(noCors && t.cors));
    this.autoCors = crossOrigin && cors === undefined;
  }

  /** The transport to use now; undefined when none can run here. */
  get current(): Transport | undefined {
    return this.list[this.index];
  }

  /** The current transport delivered: it is kept from now on. */
  opened(): void {
    this.proven.add(this.current!.name);
  }

  /** The current transport failed before opening; moves on per the rules above. */
  failed(): NextStep {
    const failed = this.current!;
    if (this.proven.has(failed.name)) return 'retry';
    if (this.autoCors && failed.cors && this.keep((t) => !t.cors)) return 'next';
    if (++this.index < this.list.length) return 'next';
    this.index = 0;
    return this.list.length > 1 ? 'wrapped' : 'retry';
  }

  /** A stream was buffered: keep only the polling transports. False when there are none. */
  dropStreams(): boolean {
    return this.keep((t) => !t.streaming);
  }

  /** Keeps the transports that pass `test`, from the first; false (and no change) when none would be left. */
  private keep(test: (t: Transport) => boolean): boolean {
    const left = this.list.filter(test);
    if (left.length === 0) return false;
    this.list = left;
    this.index = 0;
    return true;
  }
}
