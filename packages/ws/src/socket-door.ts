import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { cometError, type CometError, type CometHub } from '@cometkit/core';
import type { AdmittedStream, Log, StreamDoor } from '@cometkit/core/kit';
import type { WebSocket, WebSocketServer } from 'ws';
import { ClientFrameHandler } from './client-frame-handler';
import type { ResolvedWebSocketOptions } from './options';
import { refuseUpgrade } from './refuse';
import { SocketGuard } from './socket-guard';
import { SocketSink } from './socket-sink';
import type { UpgradeRequest } from './upgrade-request';

/** What every upgrade of one endpoint shares. */
export interface SocketEndpointParts {
  readonly hub: CometHub;
  readonly options: ResolvedWebSocketOptions;
  readonly log: Log;
  /** The `ws` server that completes the handshakes. */
  readonly sockets: WebSocketServer;
  /** Refuses an upgrade with the HTTP error every route answers, counted in the hub's errors. */
  readonly refuse: (socket: Duplex, error: CometError) => void;
}

/**
 * One upgrade's side of its stream's admission: admitted, the handshake is completed and the
 * stream starts on the socket; refused, the upgrade is answered with the HTTP error. Kept only
 * until the engine decides.
 */
export class SocketDoor implements StreamDoor<void> {
  constructor(
    private readonly endpoint: SocketEndpointParts,
    private readonly request: UpgradeRequest,
    private readonly req: IncomingMessage,
    private readonly socket: Duplex,
    private readonly head: Buffer,
  ) {}

  admitted(stream: AdmittedStream): void {
    const { endpoint, request } = this;
    // If the socket is gone by now, ws destroys it without calling back; the signal ends the subscriber.
    endpoint.sockets.handleUpgrade(this.req, this.socket, this.head, (ws) => openSocket(ws, stream, request, endpoint));
  }

  refused(error: CometError): void {
    this.endpoint.refuse(this.socket, error);
  }

  failed(bug: unknown): void {
    // `authorize` threw: a bug in the app, reported, never a crash.
    this.endpoint.log.error('authorize failed for a WebSocket upgrade: %O', bug);
    refuseUpgrade(this.socket, cometError('unavailable', 'The server could not admit this socket.'));
  }
}

/**
 * The upgrade completed: the stream writes to the socket, and the client's frames are taken.
 * (Plain parameters: a destructured one would cost every socket a second closure context.)
 */
function openSocket(ws: WebSocket, stream: AdmittedStream, request: UpgradeRequest, endpoint: SocketEndpointParts): void {
  const { hub, log } = endpoint;
  request.opened(hub.options.hasAuthorize);
  const guard = new SocketGuard(ws, endpoint.options, log);
  ws.on('error', (error) => log.debug('socket error: %s', error.message));
  stream.start(new SocketSink(ws, guard));
  // Ended before the socket opened (shutdown, say): it gets its end frame and close, nothing more.
  if (stream.subscriber.isClosed) return;
  const frames = new ClientFrameHandler(endpoint, request, stream, guard);
  ws.on('message', (data, isBinary) => frames.receive(data, isBinary));
}
