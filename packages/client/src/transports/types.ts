import type { GapReason, Frame as WireFrame } from '@cometkit/protocol';
import type { TransportName } from '../types';

/**
 * A frame as the streaming transports carry it (PROTOCOL.md, "Frames"); polls are turned into
 * these, a poll answer's cursor into an `end` frame of reason `poll` (a gap frame's cursor is then missing).
 */
export type Frame = WireFrame | { type: 'gap'; reason: GapReason; from: string; cursor?: undefined } | { type: 'end'; reason: 'poll'; cursor: string };

/** Why a request failed. With `status` the server answered (an HTTP error, maybe with its error body). */
export interface Failure {
  status?: number;
  code?: string;
  message?: string;
  /** The server's `Retry-After`, in ms. */
  retryAfterMs?: number;
}

/** Where a transport reports what happens to its one request. */
export interface Sink {
  /** A frame, in order. A poll answer ends with an `end` frame carrying the batch's cursor. */
  frame(frame: Frame): void;
  /** The request failed, or a stream ended without an `end` frame. Nothing is reported after this. */
  fail(failure: Failure): void;
}

/** How a request is sent: with cookies across origins or not, and with which headers (where it can). */
export interface RequestOptions {
  credentials: boolean;
  headers: Record<string, string>;
}

/** One way to reach the server. `open` starts one request and returns the function that stops it. */
export interface Transport {
  readonly name: TransportName;
  /** A stream (many frames per response) rather than one batch per request. */
  readonly streaming: boolean;
  /** Its heartbeats reach the client, so silence means a dead stream. */
  readonly heartbeats: boolean;
  /** Needs CORS when the server is on another origin. */
  readonly cors: boolean;
  /** Whether it can run here, for a server on the same or on another origin. */
  usable(crossOrigin: boolean): boolean;
  /**
   * `url` is the transport's route with its channel and cursor parameters already in the query;
   * `request` is applied as far as the transport can (headers only over fetch and XHR).
   */
  open(url: string, sink: Sink, request: RequestOptions): Stop;
}

/** Stops a transport's request; an open socket can also change its channels in place, keeping its position. */
export type Stop = (() => void) & { update?(add: string[], remove: string[]): void };
