/**
 * What the load client knows of each wire protocol: how to hold one subscriber (reading every
 * message into the tracker, re-polling or reopening as the protocol says) and how to run one
 * connect/abort cycle.
 */
import type http from 'node:http';
import { open, sourceAddress, subscriberAgent, type Endpoint, type RequestSpec } from './http';
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

/** One subscriber's connection(s): a keep-alive agent on one source address, and its open requests. */
export class Connection implements Subscription {
  stopped = false;
  readonly endpoint: Endpoint;
  private readonly requests = new Set<http.ClientRequest>();

  constructor(port: number, maxSockets = 1) {
    this.endpoint = { port, agent: subscriberAgent(maxSockets), localAddress: sourceAddress() };
  }

  /** Keeps `req` so that `stop()` can abort it. */
  track(req: http.ClientRequest): void {
    this.requests.add(req);
    req.once('close', () => this.requests.delete(req));
  }

  stop(): void {
    this.stopped = true;
    for (const req of this.requests) req.destroy();
    this.requests.clear();
    if (this.endpoint.agent) this.endpoint.agent.destroy();
  }
}

/**
 * Churn for a protocol whose subscriber is one request: opens it on a new connection, waits for
 * the response headers (`streaming`) or for the request to be sent (a held poll answers nothing),
 * holds `holdMs`, then destroys the connection.
 */
export function churnRequest(port: number, spec: RequestSpec, streaming: boolean, holdMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = open({ port, agent: false, localAddress: sourceAddress() }, spec);
    let settled = false;
    const done = (error?: Error): void => {
      if (settled) return;
      settled = true;
      clearTimeout(guard);
      req.destroy();
      if (error) reject(error);
      else resolve();
    };
    const guard = setTimeout(() => done(new Error('churn: no response within 10 s')), 10_000);
    req.on('error', done);
    if (streaming) {
      req.on('response', (res) => {
        res.resume();
        setTimeout(done, holdMs);
      });
    } else {
      req.on('finish', () => setTimeout(done, holdMs));
      req.on('response', () => done(new Error('churn: a held poll was answered')));
    }
  });
}
