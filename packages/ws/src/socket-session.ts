import {
  cometError,
  isCometError,
  parseChannel,
  type CometError,
  type CometHub,
  type ParsedChannel,
} from '@cometkit/core';
import {
  cachedFrame,
  cursorBefore,
  frameObjects,
  joinedFrames,
  parseChannelList,
  type Batch,
  type EndReason,
  type HeartbeatSet,
  type HeartbeatTarget,
  type LogEntry,
  type Log,
  type Subscriber,
  type SubscriberHandlers,
} from '@cometkit/core/kit';
import type { RawData, WebSocket } from 'ws';
import { readClientFrame, type ClientFrame, type FrameId } from './client-frame';
import { closeCode } from './close-codes';
import { compactWireFrame } from './compact-frame';
import type { ResolvedWebSocketOptions } from './options';
import { canWriteWhole, framePayload, textFrame, writeWhole } from './shared-frame';
import { SocketGuard } from './socket-guard';
import type { UpgradeRequest } from './upgrade-request';

/** History is sent no faster than the socket takes it: past this backlog, the next read waits. */
const PACE_BYTES = 64 * 1024;

/**
 * One open socket: the engine's subscriber handlers (frames out) and the client's frames in. A
 * class, not closures: many thousands may be open at once.
 */
export class SocketSession implements SubscriberHandlers, HeartbeatTarget {
  private socket: WebSocket | undefined;
  /** Frames shared by every socket go to its TCP stream whole (see {@link canWriteWhole}). */
  private whole = false;
  private subscriber!: Subscriber;
  /** An end that came between admission and the socket's opening (shutdown, say). */
  private earlyEnd: { reason: EndReason; cursor: string } | undefined;
  private guard!: SocketGuard;
  private lastWrite = Date.now();
  /** Client frames are handled one after another (subscribe may wait for `authorize`); made on the first frame. */
  private queue: Promise<void> | undefined;
  private drained: (() => void) | undefined;
  private readonly heartbeats: HeartbeatSet;

  constructor(
    private readonly hub: CometHub,
    private readonly options: ResolvedWebSocketOptions,
    private readonly request: UpgradeRequest,
    private readonly log: Log,
    /** `frames=compact`: batches of messages as {@link compactFrame}. */
    private readonly compact: boolean,
  ) {
    this.heartbeats = hub.engine.heartbeats(options.heartbeatMs);
  }

  /** The upgrade completed: frames may flow. */
  open(socket: WebSocket, subscriber: Subscriber): void {
    this.socket = socket;
    this.whole = canWriteWhole(socket);
    this.subscriber = subscriber;
    this.request.opened(this.hub.options.hasAuthorize);
    this.guard = new SocketGuard(socket, this.options, this.log);
    socket.on('error', (error) => this.log.debug('socket error: %s', error.message));
    if (this.earlyEnd) return this.end(this.earlyEnd.reason, this.earlyEnd.cursor);
    socket.on('message', (data, isBinary) => this.receive(data, isBinary));
    this.heartbeats.add(this);
    subscriber.begin();
  }

  batch(batch: Batch): void {
    const socket = this.socket!;
    // A backlog left from earlier sends means a client that does not read (history is paced, never cut).
    if (this.subscriber.isLive && socket.bufferedAmount > this.options.maxBufferedBytes) {
      return this.subscriber.end('slow', batch.gap ? batch.gap.from : cursorBefore(batch));
    }
    // While history is read, the last frame's send tells when the socket has taken it (see pace).
    const onSent = this.subscriber.isLive ? undefined : this.onSent;
    const { entries } = batch;
    if (batch.gap) this.send(frameObjects.gap(batch.gap.reason, batch.gap.from, cursorBefore(batch)), entries.length === 0 ? onSent : undefined);
    // Several messages go as one text frame of lines (one send, one write, shared by every socket
    // at this position), as XHR streaming writes them; a lone message is its own frame.
    if (entries.length === 0) return;
    const compact = this.compact ? compactWireFrame(batch) : undefined;
    if (compact) this.sendShared(compact, onSent);
    else if (entries.length === 1) this.sendShared(frameOf(entries[0]!), onSent);
    else this.sendShared(joinedFrames(batch, 'ws-lines', lineOf, textFrame), onSent);
  }

  pace(): Promise<void> | undefined {
    const socket = this.socket;
    if (!socket || socket.bufferedAmount <= PACE_BYTES) return undefined;
    return new Promise((resolve) => (this.drained = resolve));
  }

  live(cursor: string): void {
    this.send(frameObjects.open(cursor, this.options.heartbeatMs));
  }

  end(reason: EndReason, cursor: string): void {
    const socket = this.socket;
    if (!socket) {
      this.earlyEnd = { reason, cursor };
      return;
    }
    this.heartbeats.delete(this);
    this.onSent();
    if (reason === 'gone' || socket.readyState !== socket.OPEN) return;
    if (reason !== 'error') this.send(frameObjects.end(reason, cursor));
    socket.close(closeCode(reason), reason);
    this.guard.destroyLater();
  }

  heartbeat(now: number): void {
    if (!this.guard.ping(now)) return;
    if (now - this.lastWrite >= this.heartbeats.idleMs) this.send(frameObjects.heartbeat());
  }

  private readonly onSent = (): void => {
    const drained = this.drained;
    this.drained = undefined;
    drained?.();
  };

  private send(text: string | Buffer, done?: () => void): void {
    this.lastWrite = Date.now();
    this.socket!.send(text, { binary: false }, done);
  }

  /** A frame every socket at this position sends ({@link textFrame}): written whole where it can be. */
  private sendShared(frame: Buffer, done?: () => void): void {
    this.lastWrite = Date.now();
    if (!this.whole || !writeWhole(this.socket!, frame, done)) this.socket!.send(framePayload(frame), { binary: false }, done);
  }

  private reply(frame: Record<string, unknown>, id: FrameId | undefined): void {
    if (this.socket!.readyState === this.socket!.OPEN) this.send(JSON.stringify(id === undefined ? frame : { ...frame, id }));
  }

  private refuse(error: CometError, id: FrameId | undefined): void {
    this.reply({ type: 'error', code: error.code, message: error.message }, id);
  }

  private receive(data: RawData, isBinary: boolean): void {
    if (!this.guard.admit(isBinary)) return;
    const frame = readClientFrame(String(data));
    if ('error' in frame) return this.refuse(frame.error, frame.id);
    this.queue = (this.queue ?? Promise.resolve()).then(
      () => this.handle(frame),
      () => undefined,
    );
  }

  private async handle(frame: ClientFrame): Promise<void> {
    try {
      if (frame.type === 'publish') return await this.publish(frame.channel, frame.data, frame.id);
      if (frame.type === 'subscribe') return await this.subscribe(frame.channels, frame.id);
      return this.unsubscribe(frame.channels, frame.id);
    } catch (error) {
      if (isCometError(error)) return this.refuse(error, frame.id);
      // `authorize` threw: a bug in the app, not in the client.
      this.log.error('a %s frame failed: %O', frame.type, error);
      this.refuse(cometError('unavailable', 'The server could not handle this frame.'), frame.id);
    }
  }

  /** Adds channels on the open socket, keeping its position (history after it is read for the new ones). */
  private async subscribe(names: readonly unknown[], id: FrameId | undefined): Promise<void> {
    const { maxChannels } = this.hub.options;
    const asked = parseChannelList(names, maxChannels);
    if (isCometError(asked)) return this.refuse(asked, id);
    const current = this.subscriber.channels;
    const known = new Set(current.map((c) => c.name));
    const added = asked.filter((c) => !known.has(c.name));
    if (current.length + added.length > maxChannels) {
      return this.refuse(cometError('too_many_channels', `At most ${maxChannels} channels on one socket.`), id);
    }
    if (added.length > 0) {
      const allowed = await this.hub.engine.authorize('subscribe', { channels: added.map((c) => c.name), request: this.request, transport: 'ws' });
      if (!allowed) return this.refuse(cometError('forbidden', 'Not allowed to subscribe to these channels.'), id);
      if (this.subscriber.isClosed) return;
      this.subscriber.setChannels([...this.subscriber.channels, ...added.filter((c) => !this.has(c))]);
    }
    this.reply({ type: 'subscribed', channels: this.names() }, id);
  }

  private unsubscribe(names: readonly unknown[], id: FrameId | undefined): void {
    const removed = new Set<string>();
    for (const name of names) {
      const parsed = parseChannel(name, true);
      if (isCometError(parsed)) return this.refuse(parsed, id);
      removed.add(parsed.name);
    }
    this.subscriber.setChannels(this.subscriber.channels.filter((c) => !removed.has(c.name)));
    this.reply({ type: 'unsubscribed', channels: this.names() }, id);
  }

  /** Publishing over the socket: allowed where `POST {mount}/publish` is, through `authorize`. */
  private async publish(channel: unknown, data: unknown, id: FrameId | undefined): Promise<void> {
    const { options } = this.hub;
    if (!options.httpPublish) return this.refuse(cometError('forbidden', 'Publishing is disabled on this server.'), id);
    // The Origin was checked at the upgrade; a DNS-rebinding page passes that, the Host list does not.
    if (!options.hostAllowed(this.request.header('host'))) return this.refuse(cometError('csrf', 'Publishing is not allowed for this host name.'), id);
    const parsed = parseChannel(channel, false);
    if (isCometError(parsed)) return this.refuse(parsed, id);
    const allowed = await this.hub.engine.authorize('publish', { channels: [parsed.name], data, request: this.request, transport: 'ws' });
    if (!allowed) return this.refuse(cometError('forbidden', 'Not allowed to publish to this channel.'), id);
    const entry = await this.hub.engine.publish(parsed, data).catch((error: unknown) => {
      throw isCometError(error) ? error : cometError('unavailable', 'The message log is unavailable; retry.');
    });
    this.reply({ type: 'published', channel: parsed.name, cursor: entry.cursor }, id);
  }

  private has(channel: ParsedChannel): boolean {
    return this.subscriber.channels.some((c) => c.name === channel.name);
  }

  private names(): string[] {
    return this.subscriber.channels.map((c) => c.name);
  }
}

/** The message's frame, made once per message and shared by every socket. */
const frameOf = (entry: LogEntry): Buffer => cachedFrame(entry, 'ws', messageFrame);
const messageFrame = (entry: LogEntry): Buffer => textFrame(Buffer.from(frameObjects.message(entry)));
const lineOf = (entry: LogEntry): string => frameObjects.message(entry) + '\n';
