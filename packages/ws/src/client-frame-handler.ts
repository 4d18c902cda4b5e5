import {
  cometError,
  isCometError,
  parseChannel,
  type CometError,
  type CometHub,
  type ParsedChannel,
} from '@cometkit/core';
import { admitChannels, parseChannelList, publishFromClient, screenRequest, type AdmittedStream, type Log, type Subscriber } from '@cometkit/core/kit';
import type { RawData } from 'ws';
import { readClientFrame, type ClientFrame, type FrameId } from './client-frame';
import type { SocketGuard } from './socket-guard';
import type { UpgradeRequest } from './upgrade-request';

/**
 * What a client sends on its open socket (PROTOCOL.md, "WebSocket"): `subscribe` and
 * `unsubscribe` change the channels of the socket's subscriber, `publish` publishes; each is
 * answered with a frame (its `id` echoed), written between the stream's frames. One per socket,
 * made once the socket is open.
 */
export class ClientFrameHandler {
  /** Frames are handled one after another (subscribe may wait for `authorize`); made on the first frame. */
  private queue: Promise<void> | undefined;

  constructor(
    /** The hub and log, one object shared by every socket of the endpoint. */
    private readonly endpoint: { readonly hub: CometHub; readonly log: Log },
    private readonly request: UpgradeRequest,
    private readonly stream: AdmittedStream,
    private readonly guard: SocketGuard,
  ) {}

  private get hub(): CometHub {
    return this.endpoint.hub;
  }

  private get log(): Log {
    return this.endpoint.log;
  }

  /** A frame came in: handled in turn if the socket's rules let it through. */
  receive(data: RawData, isBinary: boolean): void {
    if (!this.guard.admit(isBinary)) return;
    const frame = readClientFrame(String(data));
    if ('error' in frame) return this.refuse(frame.error, frame.id);
    this.queue = (this.queue ?? Promise.resolve()).then(
      () => this.handle(frame),
      () => undefined,
    );
  }

  private get subscriber(): Subscriber {
    return this.stream.subscriber;
  }

  /** An answer to the client; the stream's sink drops it once the socket is no longer open. */
  private reply(frame: Record<string, unknown>, id: FrameId | undefined): void {
    this.stream.write(JSON.stringify(id === undefined ? frame : { ...frame, id }));
  }

  private refuse(error: CometError, id: FrameId | undefined): void {
    this.reply({ type: 'error', code: error.code, message: error.message }, id);
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
      const refused = await admitChannels(this.hub.engine, { channels: added.map((c) => c.name), request: this.request, transport: 'ws' });
      if (refused) return this.refuse(refused, id);
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

  /** Publishing over the socket: allowed where `POST {mount}/publish` is, through the kit's screen and publish path. */
  private async publish(channel: unknown, data: unknown, id: FrameId | undefined): Promise<void> {
    const { options } = this.hub;
    if (!options.httpPublish) return this.refuse(cometError('forbidden', 'Publishing is disabled on this server.'), id);
    const screened = screenRequest(this.request, options, 'publish');
    if (screened) return this.refuse(screened, id);
    const parsed = parseChannel(channel, false);
    if (isCometError(parsed)) return this.refuse(parsed, id);
    const entry = await publishFromClient(this.hub.engine, { channel: parsed, data, request: this.request, transport: 'ws' });
    if (isCometError(entry)) return this.refuse(entry, id);
    this.reply({ type: 'published', channel: parsed.name, cursor: entry.cursor }, id);
  }

  private has(channel: ParsedChannel): boolean {
    return this.subscriber.channels.some((c) => c.name === channel.name);
  }

  private names(): string[] {
    return this.subscriber.channels.map((c) => c.name);
  }
}
