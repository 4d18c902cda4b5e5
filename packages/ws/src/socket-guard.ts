import type { Log } from '@cometkit/core/kit';
import type { WebSocket } from 'ws';
import { POLICY_VIOLATION, UNSUPPORTED_DATA } from './close-codes';

/** The least time a peer has to answer a ping before it is taken for gone. */
const MIN_PONG_WAIT_MS = 1_000;

/** The limits a {@link SocketGuard} enforces (see `WebSocketOptions`). */
export interface GuardLimits {
  readonly maxFramesPerSecond: number;
  readonly heartbeatMs: number;
  readonly drainTimeoutMs: number;
}

/**
 * The rules every cometkit socket keeps, whatever it speaks: text frames only, at most
 * `maxFramesPerSecond` of them, a ping every `heartbeatMs` (a peer that has not answered one
 * within two intervals, and at least 1 s, is terminated), and a close that does not finish within `drainTimeoutMs` ends in
 * a destroy. One per socket; the size limit is the `ws` server's `maxPayload`.
 */
export class SocketGuard {
  private lastPing = Date.now();
  private awaitingPong = false;
  private windowStart = 0;
  private framesInWindow = 0;
  /** Set once the socket is being closed: later frames are dropped, not shut again (one timer, one listener). */
  private closing = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly limits: GuardLimits,
    private readonly log: Log,
  ) {
    socket.on('pong', () => (this.awaitingPong = false));
  }

  /** Whether a frame just received may be handled; a frame that broke a rule closes the socket. */
  admit(isBinary: boolean): boolean {
    if (this.closing) return false;
    if (isBinary) {
      this.shut(UNSUPPORTED_DATA, 'text frames only');
      return false;
    }
    const now = Date.now();
    if (now - this.windowStart >= 1_000) {
      this.windowStart = now;
      this.framesInWindow = 0;
    }
    if (++this.framesInWindow > this.limits.maxFramesPerSecond) {
      this.shut(POLICY_VIOLATION, 'too many frames');
      return false;
    }
    return true;
  }

  /** Called by the heartbeat timer: pings when due; false when the peer was found dead (terminated). */
  ping(now: number): boolean {
    if (this.awaitingPong) {
      // No pong for two intervals (and never less than a second: a busy event loop may run this
      // timer before it reads a pong that has arrived): the peer is gone without a word.
      if (now - this.lastPing < Math.max(2 * this.limits.heartbeatMs, MIN_PONG_WAIT_MS)) return true;
      this.log.debug('no pong: terminating a dead socket');
      this.socket.terminate();
      return false;
    }
    if (now - this.lastPing < this.limits.heartbeatMs) return true;
    this.awaitingPong = true;
    this.lastPing = now;
    this.socket.ping();
    return true;
  }

  /** Closes the socket with `code`, destroying it if the close does not finish in time. */
  shut(code: number, why: string): void {
    if (this.closing) return;
    this.log.debug('closing a socket (%d): %s', code, why);
    this.socket.close(code, why);
    this.destroyLater();
  }

  /** Destroys the socket if it has not finished closing within `afterMs` (by default `drainTimeoutMs`). */
  destroyLater(afterMs: number = this.limits.drainTimeoutMs): void {
    if (this.closing) return;
    this.closing = true;
    const socket = this.socket;
    const timer = setTimeout(() => socket.terminate(), afterMs).unref();
    socket.once('close', () => clearTimeout(timer));
  }
}
