import { failedHere, rememberFailed } from './failed-here';
import type { Transport } from './transports/types';
import type { TransportName } from './types';

/** What to do after the current transport failed before it ever opened. */
export type NextStep = 'retry' | 'next' | 'wrapped';

/**
 * Chooses the transport. Starts with the first usable one in the configured order, and on failure:
 * - a transport that has opened once here is kept (retried with backoff): it works in this place;
 * - one that never opened gives way to the next at once; after the last, back to the first, with backoff;
 * - cross-origin, a CORS transport (SSE, stream, poll) that never opened means the server does not
 *   allow this origin: every CORS transport (WebSocket too) is dropped, leaving JSONP (unless `cors: true`);
 * - a buffered stream drops every streaming transport (see {@link dropStreams});
 * - with a `server` key, transports that failed before one opened are skipped next time (see `failed-here`).
 */
export class Selector {
  private list: Transport[];
  private index = 0;
  private readonly proven = new Set<TransportName>();
  /** Cross-origin with `cors` unset: a CORS transport that fails to open means there is no CORS. */
  private readonly autoCors: boolean;
  /** Transports that failed before any opened. */
  private readonly failedNames = new Set<TransportName>();

  constructor(
    order: readonly TransportName[],
    all: Readonly<Record<TransportName, Transport>>,
    crossOrigin: boolean,
    cors: boolean | undefined,
    private readonly server?: string,
  ) {
    const noCors = crossOrigin && cors === false;
    this.list = order.map((name) => all[name]).filter((t) => t && t.usable(crossOrigin) && !(noCors && t.cors));
    this.autoCors = crossOrigin && cors === undefined;
    const skip = server ? failedHere(server) : [];
    this.keep((t) => !skip.includes(t.name));
  }

  /** The transport to use now; undefined when none can run here. */
  get current(): Transport | undefined {
    return this.list[this.index];
  }

  /** The current transport delivered: it is kept from now on. */
  opened(): void {
    this.proven.add(this.current!.name);
    if (this.server && this.failedNames.size > 0) rememberFailed(this.server, this.failedNames);
    this.failedNames.clear();
  }

  /** The current transport failed before opening; moves on per the rules above. */
  failed(): NextStep {
    const failed = this.current!;
    if (this.proven.has(failed.name)) return 'retry';
    this.failedNames.add(failed.name);
    // A refused socket may as well mean no upgrade handler: only an HTTP transport tells of CORS.
    if (this.autoCors && failed.cors && failed.name !== 'ws' && this.keep((t) => !t.cors)) return 'next';
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
