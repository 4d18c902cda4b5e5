/**
 * The neutral contract between adapters and the hub. The hub never sees a socket or a framework
 * object it must understand: it reads a {@link CometRequest} and answers a {@link CometResponse},
 * and the Node bridge turns that into bytes.
 */

import type { EndReason as WireEndReason } from '@cometkit/protocol';

/** A request as the hub sees it. */
export interface CometRequest {
  /** Upper-case HTTP method. */
  readonly method: string;
  /** Path below the mount point, starting with `/` (for a per-route endpoint, `/`). */
  readonly path: string;
  /** The query string, parsed (the Node bridge parses it on each access rather than keep it). */
  readonly query: URLSearchParams;
  /** Route parameters (`:id` → `params.id`) on a per-route endpoint; empty otherwise. */
  readonly params: Readonly<Record<string, string>>;
  /** A request header, lower-case name; the first value when repeated. */
  header(name: string): string | undefined;
  /**
   * The request body, read at most once and capped at `maxBytes` (over that: a `body_too_large`
   * CometError). When a body parser ran before cometkit, its parsed value is returned as it is.
   */
  body(maxBytes: number): Promise<Buffer | ParsedBody>;
  /**
   * Optional: lets go of the body once it has been read and taken apart, so that a request held
   * for a long time (a Bayeux `/meta/connect`) does not keep its bytes alive. `body()` after it
   * rejects with a `bad_request` CometError.
   */
  releaseBody?(): void;
  /** Aborted when the client goes away. */
  readonly signal: AbortSignalLike;
  /** The framework's own request object (Express `req`, Koa `ctx`), for user hooks. */
  readonly raw: unknown;
}

/**
 * The part of `AbortSignal` the hub uses; a real `AbortSignal` fits. The Node bridge passes a
 * lighter one (an `AbortSignal` with listeners costs about 1 KB per held request).
 */
export interface AbortSignalLike {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/** A body some upstream middleware already parsed (express.json(), koa-bodyparser, …). */
export interface ParsedBody {
  readonly parsed: unknown;
}

/** Response headers; names lower-case. Not changed once answered (a frozen one may be shared by many answers). */
export type CometHeaders = Record<string, string>;

/** A whole response, written at once. */
export interface CometBodyResponse {
  readonly status: number;
  readonly headers: CometHeaders;
  readonly body: string | Buffer;
  /** Set on an answer that refuses the request, whatever its status (JSONP refuses with 200). */
  readonly error?: string;
}

/** Where a streamed response writes its chunks; the Node bridge implements it over a socket. */
export interface StreamSink {
  /** Writes a chunk. Returns false when the socket's buffer is full (see {@link bufferedBytes}). */
  write(chunk: Buffer | string): boolean;
  /** Bytes accepted but not yet handed to the kernel: a slow client shows here. */
  bufferedBytes(): number;
  /**
   * A promise that resolves once the bytes buffered so far were handed on, or undefined when
   * nothing waits: a stream replaying history writes its next batch only then.
   */
  drained(): Promise<void> | undefined;
  /** Ends the response. Safe to call twice. */
  end(options?: StreamEndOptions): void;
  /**
   * Optional: the sink's own liveness check, made on every heartbeat tick of its stream before
   * the stream decides whether to write a heartbeat (a WebSocket sink pings its peer here). False
   * when the peer was found dead and dropped: no heartbeat is written, and the connection's close
   * ends the stream.
   */
  alive?(now: number): boolean;
}

/** How a stream ends. */
export interface StreamEndOptions {
  /**
   * A client that has not taken the bytes still buffered within this time is disconnected,
   * freeing them.
   */
  drainTimeoutMs?: number;
  /** Close the connection too rather than keep it alive (shutdown: let the server stop at once). */
  close?: boolean;
  /**
   * Why the stream ends, for a sink that tells its client in a way of its own besides the end
   * frame already written (a WebSocket's close code). `gone`: the client went away; `error`: the
   * broker failed (no end frame was written for either).
   */
  reason?: StreamEndReason;
}

/**
 * Why a stream ends, as its sink is told: the engine's `EndReason` (this file sits below the
 * engine, which imports it, so the union is spelled again here; the compiler checks they agree
 * where the stream writer passes one on).
 */
export type StreamEndReason = WireEndReason | 'gone' | 'done' | 'timeout' | 'error';

/** A response that stays open and is written to as things happen. */
export interface CometStreamResponse {
  readonly status: number;
  readonly headers: CometHeaders;
  /** Called once headers are sent; the stream writes through `sink` until it ends it. */
  start(sink: StreamSink): void;
}

/** What the hub answers. */
export type CometResponse = CometBodyResponse | CometStreamResponse;

/** Handles one neutral request; what adapters call. */
export type CometHandler = (request: CometRequest) => Promise<CometResponse>;

/** True when `response` is a stream. */
export function isStreamResponse(response: CometResponse): response is CometStreamResponse {
  return 'start' in response;
}
