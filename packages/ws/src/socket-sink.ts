import type { StreamEndOptions, StreamSink } from '@cometkit/core/kit';
import type { WebSocket } from 'ws';
import { closeCode } from './close-codes';
import { canWriteWhole, framePayload, writeWhole } from './shared-frame';
import type { SocketGuard } from './socket-guard';

/** History is sent no faster than the socket takes it: past this backlog, the next read waits. */
const PACE_BYTES = 64 * 1024;

/** What every `send` is told: cometkit sends text frames only. Not changed by `ws` (it copies it). */
const TEXT = { binary: false } as const;

/**
 * The kit's stream writer writing to a `ws` socket. It takes what the WebSocket framing makes:
 * a string is a frame's text, sent by `socket.send`; a Buffer is a whole text frame built once
 * for every socket at a position ({@link textFrame}), written to the TCP stream as it is where
 * {@link canWriteWhole} allows, else sent as its payload. Once the socket is no longer open,
 * nothing more is sent. A class, not closures: many thousands may be open at once.
 */
export class SocketSink implements StreamSink {
  /** Frames shared by every socket go to its TCP stream whole (see {@link canWriteWhole}). */
  private readonly whole: boolean;
  /** Frames handed to the socket that it has not called back for yet (it calls back in order). */
  private unsent = 0;
  /** A history read waiting for the frames written before it to be sent: how many callbacks more, and its resolve. */
  private awaited = 0;
  private waiting: (() => void) | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly guard: SocketGuard,
  ) {
    this.whole = canWriteWhole(socket);
  }

  /** Sends a frame (see the class); false when the socket is no longer open (nothing sent) or past {@link PACE_BYTES} buffered. */
  write(chunk: Buffer | string): boolean {
    const { socket } = this;
    if (socket.readyState !== socket.OPEN) return false;
    this.unsent++;
    if (typeof chunk === 'string') socket.send(chunk, TEXT, this.onSent);
    else if (!this.whole || !writeWhole(socket, chunk, this.onSent)) socket.send(framePayload(chunk), TEXT, this.onSent);
    return socket.bufferedAmount <= PACE_BYTES;
  }

  bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /** Past {@link PACE_BYTES} buffered, resolves once every frame written so far has been sent. */
  drained(): Promise<void> | undefined {
    const { socket } = this;
    if (socket.readyState !== socket.OPEN || socket.bufferedAmount <= PACE_BYTES || this.unsent === 0) return undefined;
    this.awaited = this.unsent;
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** Closes with the close code of the end's reason (after its end frame); a close that does not finish in time ends in a destroy. */
  end(options: StreamEndOptions = {}): void {
    this.release();
    const { socket } = this;
    const { reason } = options;
    if (reason === 'gone' || socket.readyState !== socket.OPEN) return;
    socket.close(reason ? closeCode(reason) : 1000, reason);
    this.guard.destroyLater(options.drainTimeoutMs);
  }

  /** Pings the peer when due (see {@link SocketGuard.ping}); false once it was found dead. */
  alive(now: number): boolean {
    return this.guard.ping(now);
  }

  /** Every frame's send callback: called in order, also with an error when the socket closed first. */
  private readonly onSent = (): void => {
    this.unsent--;
    if (this.awaited > 0 && --this.awaited === 0) this.release();
  };

  private release(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    this.awaited = 0;
    waiting?.();
  }
}
