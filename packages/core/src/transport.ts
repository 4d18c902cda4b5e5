import type { CometError } from './errors';
import type { HubInternals } from './hub-internals';
import type { CometRequest, CometResponse } from './neutral';
import type { PushRequest } from './push-request';

/** What a transport is given to open one push response. */
export interface TransportContext {
  readonly request: CometRequest;
  readonly push: PushRequest;
  readonly hub: HubInternals;
}

/**
 * A transport is framing plus a rule for when its response ends. Waiting, batching, timeouts and
 * abort handling live in the hub; a transport only turns batches into bytes.
 */
export interface Transport {
  /** Route name under the mount (`poll` → `GET {mount}/poll`). */
  readonly name: string;
  /** Opens the response for one request whose channels and cursor are already checked. */
  open(context: TransportContext): Promise<CometResponse> | CometResponse;
  /**
   * Checks this transport's own parameters (a JSONP callback name) before anything else, so that
   * later errors can be reported through them. An error here is answered as plain JSON.
   */
  checkRequest?(request: CometRequest): CometError | undefined;
  /** Where this transport's client puts its cursor; default the `cursor` query parameter. */
  readCursor?(request: CometRequest): string | null | undefined;
  /** How this transport reports an error, when not as a JSON body (JSONP hands it to its callback). */
  errorResponse?(error: CometError, request: CometRequest): CometResponse;
}
