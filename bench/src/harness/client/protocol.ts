/**
 * What the load client knows of each wire protocol: how to hold one subscriber (reading every
 * message into the tracker, re-polling or reopening as the protocol says) and how to run one
 * connect/abort cycle.
 */
import { Endpoint, type RequestSpec, type ResponseHandler } from './http';
import type { SubState, Tracker } from './tracker';

export interface ProtocolContext {
  port: number;
  /** Where a subscriber starts, for protocols with cursors (cometkit, bare long-poll); else ''. */
  cursor: string;
  tracker: Tracker;
}

/** One held subscriber. `stop()` closes its connection(s) and ends its loop for good. */
export interface Subscription {
  stop(): void;
}

export interface Protocol {
  subscribe(context: ProtocolContext, sub: SubState): Subscription;
  /** One connect/abort cycle: opens the held request a new client opens, waits `holdMs`, drops it. */
  churn(port: number, holdMs: number): Promise<void>;
}

/** One subscriber's connection(s) (a second one where a protocol sends while a poll is held). */
export class Connection implements Subscription {
  stopped = false;
  readonly endpoint: Endpoint;
  private readonly extra: Endpoint[] = [];

  constructor(readonly port: number) {
    this.endpoint = new Endpoint(port);
  }

  /** Another connection of the same subscriber, closed with it. */
  another(): Endpoint {
    const endpoint = new Endpoint(this.port);
    this.extra.push(endpoint);
    return endpoint;
  }

  stop(): void {
    this.stopped = true;
    this.endpoint.destroy();
    for (const endpoint of this.extra) endpoint.destroy();
  }
}

/**
 * A streamed response: `onText` gets every piece of the body as it arrives, `onEnd` once when
 * the response ends (no error) or breaks (including a status other than 200).
 */
export function openStream(
  endpoint: Endpoint,
  spec: RequestSpec,
  onText: (text: string, arrival: number) => void,
  onEnd: (error?: Error) => void,
): void {
  let status = 0;
  const handler: ResponseHandler = {
    head: (code) => (status = code),
    body: (text, arrival) => status === 200 && onText(text, arrival),
    end: (error) => onEnd(error ?? (status === 200 ? undefined : new Error(`status ${status}`))),
  };
  endpoint.request(spec, handler);
}

/**
 * Churn for a protocol whose subscriber is one request: opens it on a new connection, waits for
 * the response headers (`streaming`) or for the request to be sent (a held poll answers nothing),
 * holds `holdMs`, then closes the connection.
 */
export function churnRequest(port: number, spec: RequestSpec, streaming: boolean, holdMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const endpoint = new Endpoint(port);
    let settled = false;
    const done = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      endpoint.destroy();
      if (error) reject(error);
      else resolve();
    };
    const guard = setTimeout(() => done(new Error('churn: no response within 10 s')), 10_000);
    const hold = (): void => void setTimeout(done, holdMs);
    endpoint.request(
      spec,
      {
        head: streaming ? hold : () => done(new Error('churn: a held poll was answered')),
        body: () => {},
        end: (error) => done(error ?? new Error('churn: the response ended')),
      },
      streaming ? undefined : hold,
    );
  });
}
