import type { Socket } from 'node:net';
import type { StreamEndOptions, StreamSink } from '@cometkit/core/kit';
import type { WebSocket } from 'ws';
import { closeCode } from './close-codes';
import { framePayload, wholeStream, writeWhole } from './shared-frame';
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
 *
 * No write carries a callback where the TCP stream is known: a callback costs Node a tick and an
 * object per write, on every socket of every fan-out. History is paced by the stream's `drain`
 * instead (see {@link drained}).
 */
export class SocketSink implements StreamSink {
  /** The socket's TCP stream, where frames go whole (see {@link wholeStream}); undefined where ws's internals are not what that needs. */
  private readonly tcp: Socket | undefined;
  /** Without `tcp`: every send's callback, which wakes a paced read once the backlog is down. */
  private readonly onSent: (() => void) | undefined;
  /** A paced history read's wake-up. */
  private waiting: (() => void) | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly guard: SocketGuard,
  ) {
    this.tcp = wholeStream(socket);
    if (!this.tcp) {
      this.onSent = () => {
        if (socket.bufferedAmount <= PACE_BYTES) this.release();
      };
    }
  }

  /** Sends a frame (see the class); false when the socket is no longer open (nothing sent) or past {@link PACE_BYTES} buffered. */
  write(chunk: Buffer | string): boolean {
    const { socket, tcp } = this;
    if (socket.readyState !== socket.OPEN) return false;
    if (typeof chunk === 'string') socket.send(chunk, TEXT, this.onSent);
    else if (!tcp || !writeWhole(socket, chunk)) socket.send(framePayload(chunk), TEXT, this.onSent);
    return socket.bufferedAmount <= PACE_BYTES;
  }

  bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  /**
   * Past {@link PACE_BYTES} buffered, resolves once the socket has taken its backlog: when its
   * TCP stream drains (or closes), or without one, once a send's callback finds the backlog down.
   */
  drained(): Promise<void> | undefined {
    const { socket, tcp } = this;
    if (socket.readyState !== socket.OPEN || socket.bufferedAmount <= PACE_BYTES) return undefined;
    // Past the stream's high-water mark it always needs a drain; this is only a guard.
    if (tcp && !tcp.writableNeedDrain) return undefined;
    return new Promise((resolve) => {
      if (!tcp) return void (this.waiting = resolve);
      const done = (): void => {
        tcp.off('drain', done);
        tcp.off('close', done);
        resolve();
      };
      this.waiting = done;
      tcp.on('drain', done);
      tcp.on('close', done);
    });
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

  private release(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }
}
