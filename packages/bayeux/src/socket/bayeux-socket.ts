import { isCometError } from '@cometkit/core';
import { type Engine, type HeartbeatSet, type HeartbeatTarget, type Log } from '@cometkit/core/kit';
import { closeCode, POLICY_VIOLATION, type SocketGuard, type UpgradeRequest } from '@cometkit/ws';
import type { RawData, WebSocket } from 'ws';
import { answerBody, type Answer } from '../answer';
import { answerMessages } from '../answer-messages';
import { fromJson } from '../endpoint/read-messages';
import type { BayeuxServer } from '../server';
import { SocketQuota } from './socket-quota';

/** Close code for a frame that holds no Bayeux message (RFC 6455: data inconsistent with its type). */
const INVALID_PAYLOAD = 1007;

/** The WebSocket door of one endpoint: what all its sockets share. */
export interface SocketDoor {
  readonly server: BayeuxServer;
  readonly engine: Engine;
  readonly heartbeats: HeartbeatSet;
  readonly log: Log;
  readonly maxBatch: number;
  readonly maxBufferedBytes: number;
}

/**
 * One Bayeux client's socket. Each text frame is one request's messages, answered through the
 * same handlers as HTTP, its answer one frame: a held `/meta/connect` is held and answered as
 * over HTTP, and an answer the socket could not take is read again (the session's cursor rule).
 * Frames are taken in order, but a held connect does not hold up the frames after it.
 * A class, not closures: many thousands may be open at once.
 */
export class BayeuxSocket implements HeartbeatTarget {
  /** The frame before the next one: handled up to its held connect, or answered. */
  private queue: Promise<void> = Promise.resolve();
  /** This socket's share of the hub's limits: the sessions it made, the connects it holds. */
  private readonly quota: SocketQuota;

  constructor(
    private readonly socket: WebSocket,
    private readonly guard: SocketGuard,
    private readonly request: UpgradeRequest,
    private readonly door: SocketDoor,
  ) {
    const { maxSessionsPerSocket, maxConnectsPerSocket } = door.server.options;
    this.quota = new SocketQuota(maxSessionsPerSocket, maxConnectsPerSocket);
  }

  start(): void {
    const { socket, door } = this;
    socket.on('error', (error) => door.log.debug('socket error: %s', error.message));
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    socket.on('close', () => door.heartbeats.delete(this));
    door.heartbeats.add(this);
  }

  heartbeat(now: number): void {
    // A socket with no connect held would not hear of the shutdown otherwise.
    if (this.door.engine.closing) return this.closeForShutdown();
    this.guard.ping(now);
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (!this.guard.admit(isBinary)) return;
    const text = String(data);
    // Faye before 1.3 sent `[]` as a keep-alive: nothing to answer (never `[]`), and no error.
    if (text.trim() === '[]') return;
    const messages = fromJson(text);
    if (isCometError(messages)) return this.guard.shut(INVALID_PAYLOAD, messages.message);
    if (messages.length > this.door.maxBatch) return this.guard.shut(POLICY_VIOLATION, `at most ${this.door.maxBatch} messages in one frame`);
    this.queue = this.queue.then(() => this.run(messages, Buffer.byteLength(text)));
  }

  /** Resolves once the frame's connect is held or its answer is out, whichever comes first. */
  private run(messages: object[], length: number): Promise<void> {
    return new Promise<void>((next) => {
      answerMessages(this.door.server, messages, this.request, length, next, this.quota).then(
        (answer) => {
          next();
          this.write(answer);
        },
        (error: unknown) => {
          // An extension or `authorize` threw: a bug of the app's, reported; the client reconnects.
          next();
          this.door.log.error('a Bayeux frame failed: %O', error);
          this.guard.shut(closeCode('error'), 'server error');
        },
      );
    });
  }

  private write(answer: Answer): void {
    const { socket } = this;
    if (answer.gone) return;
    if (socket.readyState !== socket.OPEN) return answer.undelivered?.();
    if (socket.bufferedAmount > this.door.maxBufferedBytes) {
      // A client that does not read: cut it off; what this answer carried is read again.
      answer.undelivered?.();
      return this.guard.shut(closeCode('slow'), 'too slow');
    }
    socket.send(answerBody(answer), { binary: false }, (error) => {
      if (error) answer.undelivered?.();
    });
    if (this.door.engine.closing) this.closeForShutdown();
  }

  /** After shutdown's answer: close 1012, so the client reconnects, to another server. */
  private closeForShutdown(): void {
    this.door.heartbeats.delete(this);
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.guard.shut(closeCode('closing'), 'closing');
  }
}
