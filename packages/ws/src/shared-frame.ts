import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/**
 * A server's text frame on the wire (RFC 6455 §5.2): FIN and the text opcode, the payload length
 * in 7, 16 or 64 bits, no mask (a server never masks), then the payload.
 */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const headerLength = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(headerLength + length);
  frame[0] = 0x81;
  if (length < 126) frame[1] = length;
  else if (length < 65_536) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    // A frame over 2^53 bytes cannot be a Buffer, so the high 16 bits are always zero.
    frame.writeUInt16BE(0, 2);
    frame.writeUIntBE(length, 4, 6);
  }
  payload.copy(frame, headerLength);
  return frame;
}

// The payload of a batch is one Buffer shared by every socket at that position: its frame is
// made once for all of them. The last one is kept at hand, since a fan-out asks for it thousands
// of times in a row; the others while their payload lives (a history entry's cached frame).
const framed = new WeakMap<Buffer, Buffer>();
let lastPayload: Buffer | undefined;
let lastFrame: Buffer | undefined;

/** {@link textFrame} of a shared payload, made once per payload. */
export function sharedTextFrame(payload: Buffer): Buffer {
  if (payload === lastPayload) return lastFrame!;
  let frame = framed.get(payload);
  if (!frame) framed.set(payload, (frame = textFrame(payload)));
  lastPayload = payload;
  lastFrame = frame;
  return frame;
}

/** What of a `ws` socket's internals {@link directStream} relies on (ws 8). */
interface SocketInternals {
  _socket?: unknown;
  _extensions?: Record<string, unknown>;
}

/**
 * The TCP stream under a server socket, to which a prebuilt frame may be written as it is, or
 * undefined where that would not be safe.
 *
 * Why: `socket.send` frames the payload for each socket (a header buffer, a corked write of two
 * buffers). A frame built once and written whole as one buffer costs a socket about 12% less
 * CPU (measured in bench/RESULTS.md), and a fan-out to thousands of sockets is nearly all
 * writes. It is the same byte stream: `ws` writes a frame to this stream synchronously,
 * in order, unless it is compressing (an extension was agreed) or reading a Blob (cometkit sends
 * none), so frames written here and by `send` keep their order, and `bufferedAmount` counts
 * both. Where the internals are not what this expects (another `ws` version), every frame goes
 * through `send`.
 */
export function directStream(socket: WebSocket): Socket | undefined {
  const internals = socket as unknown as SocketInternals;
  const stream = internals._socket as Partial<Socket> | null | undefined;
  if (!stream || typeof stream.write !== 'function') return undefined;
  if (!internals._extensions || Object.keys(internals._extensions).length > 0) return undefined;
  return stream as Socket;
}
