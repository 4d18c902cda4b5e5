/** Counters a hub keeps; read them with `hub.stats()`. Plain numbers, cheap to keep. */
export interface CometStats {
  /** Requests held open now (polls waiting, streams open), all transports. */
  connections: number;
  /** Requests held open now, by transport name. */
  connectionsByTransport: Record<string, number>;
  /** Messages published through this hub (app code and HTTP). */
  published: number;
  /** Messages handed to clients (one per message per client). */
  delivered: number;
  /** Gap signals sent (a cursor older than history or from another epoch). */
  gaps: number;
  /** Long-polls answered empty because their timeout came. */
  timeouts: number;
  /** Slow clients cut off (they resume from their cursor). */
  slowClientCutoffs: number;
  /** Requests refused with an error (a 4xx or 5xx, or a JSONP error handed to its callback). */
  errors: number;
  /** Broker reads that failed (the subscriber ended with `error`; its client retries). */
  brokerErrors: number;
}

/** A fresh set of counters. */
export function createStats(): CometStats {
  return {
    connections: 0,
    connectionsByTransport: {},
    published: 0,
    delivered: 0,
    gaps: 0,
    timeouts: 0,
    slowClientCutoffs: 0,
    errors: 0,
    brokerErrors: 0,
  };
}
