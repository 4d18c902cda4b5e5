import type { ParsedChannel } from '../log/channel';
import type { Engine } from '../engine/engine';
import type { CometError } from '../errors';
import type { CometRequest, CometResponse } from '../neutral';
import type { EndRules } from '../kit/end-rules';
import type { HttpSettings } from './settings';

export type { EndRules } from '../kit/end-rules';

/** What a transport is given to open one response. */
export interface TransportContext {
  readonly request: CometRequest;
  /** The request's query, parsed once for everyone who reads it. */
  readonly query: URLSearchParams;
  /**
   * The channels this request is for, already checked: the client's (`?channel=`) under a mount,
   * the route's on a per-route endpoint; or why they are not acceptable.
   */
  readonly channels: readonly ParsedChannel[] | CometError;
  /** This transport's end rules, the hub's defaults filled in. */
  readonly rules: EndRules;
  /** The fan-out engine: subscribe, heartbeats, its settings. */
  readonly engine: Engine;
  /** The hub's HTTP settings (`sseRetryMs`, `maxChannels`, …). */
  readonly options: HttpSettings;
}

/**
 * A transport is framing plus a rule for when its response ends. Waiting, batching, lifetimes,
 * admission and release live in the engine: a transport turns batches into bytes. Most are built
 * on {@link openOneBatch} (long-poll family) or {@link openStream} (streaming family).
 *
 * ```ts
 * const lines: Transport = { name: 'lines', open: (context) => openStream(context, linesFraming, '') };
 * createComet({ transports: [lines] }); // GET {mount}/lines?channel=…
 * ```
 */
export interface Transport {
  /** Route name under the mount (`poll` → `GET {mount}/poll`). */
  readonly name: string;
  /**
   * This transport's own rules (SSE streams have no byte budget, for example), or a function of
   * the hub's that returns them (the forever iframe's heartbeat is at most 2 s).
   */
  readonly endRules?: Partial<EndRules> | ((defaults: EndRules) => Partial<EndRules>);
  /**
   * Opens the response for one request. It reads its own parameters first (so that later errors
   * can be reported through them, as JSONP does), then checks method, channels and cursor.
   */
  open(context: TransportContext): Promise<CometResponse> | CometResponse;
}
