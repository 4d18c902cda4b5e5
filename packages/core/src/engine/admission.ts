import { cometError, isCometError, type CometError } from '../errors';
import { checkAccess, type Granted } from './access';
import type { EngineSettings } from './settings';
import type { Subscriber } from './subscriber';
import type { SubscribeSpec } from './types';
import type { Identity } from '../rules/channel-rules';

/**
 * Who may subscribe, decided once for every entry point: not while the hub closes, not past the
 * connection limit (requests still awaiting `authorize` count, so a slow authorizer cannot let a
 * burst through), and only what {@link checkAccess} allows (`authenticate`, the rules, `authorize`). Not async: a held request should not also
 * hold a suspended async frame and its promise when `authorize` answers at once (no hook, or a
 * hook that answers a boolean, gives an answer with no promise).
 *
 * It never throws: refusals are values, and an `authorize` hook that throws (a bug of the app's)
 * gives a rejected promise, whether it throws at once or rejects later.
 */
export class Admission {
  /** Requests between the connection-limit check and their verdict. */
  private authorizing = 0;
  private settled: (() => void) | undefined;

  constructor(
    private readonly options: EngineSettings,
    /** Subscribers registered now. */
    private readonly connections: () => number,
    private readonly closing: () => boolean,
    /** Registers an admitted subscriber. */
    private readonly register: (spec: SubscribeSpec, identity?: Identity) => Subscriber,
  ) {}

  /** The subscriber, registered; a refusal; or a promise of either when `authorize` answers later or fails. */
  admit(spec: SubscribeSpec): Subscriber | CometError | Promise<Subscriber | CometError> {
    try {
      return this.decideOrAsk(spec);
    } catch (error) {
      // `authorize` threw at once, or a handler threw while the subscriber was registered.
      return Promise.reject(error);
    }
  }

  private decideOrAsk(spec: SubscribeSpec): Subscriber | CometError | Promise<Subscriber | CometError> {
    if (this.closing()) return refusedClosing();
    if (this.connections() + this.authorizing >= this.options.maxConnections) {
      return cometError('too_many_connections', 'Too many open connections; retry later.');
    }
    if (!this.options.hasAuthorize) return this.register(spec);
    this.authorizing++;
    let access: ReturnType<typeof checkAccess>;
    try {
      access = checkAccess(this.options, 'subscribe', {
        channels: spec.channels.map((c) => c.name),
        request: spec.request,
        transport: spec.transport,
        context: spec.context,
      });
    } catch (error) {
      return this.abandon(error);
    }
    if (!(access instanceof Promise)) return this.decide(access, spec);
    return access.then(
      (granted) => this.decide(granted, spec),
      (error: unknown) => this.abandon(error),
    );
  }

  /** Resolves once no request awaits its verdict (they are refused, the hub closing), or after `timeoutMs`. */
  async settle(timeoutMs: number): Promise<void> {
    if (this.authorizing === 0) return;
    const timer = new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref());
    await Promise.race([new Promise<void>((resolve) => (this.settled = resolve)), timer]);
  }

  private decide(access: Granted | CometError, spec: SubscribeSpec): Subscriber | CometError {
    this.done();
    if (isCometError(access)) return access;
    // Authorizing may take a while: the hub may have begun closing, or the client left.
    if (this.closing()) return refusedClosing();
    if (spec.signal?.aborted) return cometError('bad_request', 'The client went away.');
    return this.register(spec, access.identity);
  }

  /** `authorize` failed: a bug of the app's, passed on (as a rejection) to the framework's error handling. */
  private abandon(error: unknown): never {
    this.done();
    throw error;
  }

  private done(): void {
    this.authorizing--;
    if (this.authorizing === 0) this.settled?.();
  }
}

const refusedClosing = (): CometError => cometError('closing', 'The server is shutting down; try again.');
