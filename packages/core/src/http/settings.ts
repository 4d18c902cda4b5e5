/**
 * The resolved settings only the HTTP routes read (the hub's resolved options are these plus the
 * engine's settings).
 */
export interface HttpSettings {
  /** How long a long-poll is held before it answers empty. */
  longPollTimeoutMs: number;
  /** Whether `POST {mount}/publish` is served. */
  httpPublish: boolean;
  /** Whether the built-in JSONP route is served. */
  jsonp: boolean;
  /** Most channels (and patterns) in one request. */
  maxChannels: number;
  /** Largest request body in bytes. */
  maxBodyBytes: number;
  /** A stream with nothing else to write sends a heartbeat this often. */
  heartbeatMs: number;
  /** Bytes a stream writes before it ends. */
  byteBudget: number;
  /** Age at which a stream ends. */
  streamMaxAgeMs: number;
  /** The `retry:` an SSE stream announces. */
  sseRetryMs: number;
  /** Whether CORS allows `origin`; always false when CORS is off. */
  corsAllows: (origin: string) => boolean;
  corsCredentials: boolean;
  /** Whether a request may be answered for a `Host`; always true when `allowedHosts` is not set. */
  hostAllowed: (host: string | undefined) => boolean;
}
