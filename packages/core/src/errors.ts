/**
 * Errors are values: every protocol failure is a {@link CometError} with a code, and one table maps
 * codes to HTTP status. Only bugs throw anything else. The shape follows `http-errors` (`status`,
 * `statusCode`, `expose`) so Express and Koa error handlers render a thrown CometError as it is.
 */

/** Every error code cometkit answers with, and the HTTP status it maps to. */
export const ERROR_STATUS = {
  bad_channel: 400,
  too_many_channels: 400,
  no_channels: 400,
  bad_cursor: 400,
  bad_request: 400,
  bad_callback: 400,
  bad_json: 400,
  unauthorized: 401,
  forbidden: 403,
  csrf: 403,
  not_found: 404,
  method_not_allowed: 405,
  body_too_large: 413,
  unsupported_media_type: 415,
  too_many_connections: 503,
  unavailable: 503,
  closing: 503,
} as const;

/** A machine-readable error code; see {@link ERROR_STATUS}. */
export type ErrorCode = keyof typeof ERROR_STATUS;

/** The JSON body of every error response: `{ "error": { "code", "message" } }`. */
export interface ErrorBody {
  error: { code: ErrorCode; message: string };
}

/** What a {@link CometError} carries beyond its code and message. */
export interface CometErrorDetails {
  /** For `method_not_allowed`: the methods the route takes. */
  allow?: readonly string[];
}

/** A protocol error: a client mistake or a refusal, never a bug. */
export class CometError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Always true: the message is written for the client and safe to show. */
  readonly expose = true;
  /** For `method_not_allowed`: the methods the route takes, sent as `Allow`. */
  readonly allow: readonly string[] | undefined;

  constructor(code: ErrorCode, message: string, details: CometErrorDetails = {}) {
    super(message);
    this.name = 'CometError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.allow = details.allow;
  }

  /** Response headers the error calls for (`Allow` on a 405), as `http-errors` has them. */
  get headers(): Record<string, string> | undefined {
    return this.allow ? { allow: this.allow.join(', ') } : undefined;
  }

  /** Alias of `status`, as `http-errors` has it. */
  get statusCode(): number {
    return this.status;
  }

  /** The error as the JSON body cometkit sends. */
  toBody(): ErrorBody {
    return { error: { code: this.code, message: this.message } };
  }
}

/** Builds a {@link CometError}; shorter at call sites than `new`. */
export function cometError(code: ErrorCode, message: string, details?: CometErrorDetails): CometError {
  return new CometError(code, message, details);
}

/** True when `value` is a {@link CometError}. */
export function isCometError(value: unknown): value is CometError {
  return value instanceof CometError;
}
