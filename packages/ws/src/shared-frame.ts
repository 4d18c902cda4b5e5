import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';

/** The header's length before a payload of `length` bytes: 7, 16 or 64-bit length field. */
const headerLength = (length: number): number => (length < 126 ? 2 : length < 65_536 ? 4 : 10);

/**
 * A server's text frame on the wire (RFC 6455 §5.2): FIN and the text opcode, the payload length
 * in 7, 16 or 64 bits, no mask (a server never masks), then the payload: `parts` one after
 * another, copied once.
 */
export function textFrame(parts: Buffer | readonly Buffer[]): Buffer {
  const list = Buffer.isBuffer(parts) ? [parts] : parts;
  let length = 0;
  for (const part of list) length += part.length;
  const header = headerLength(length);
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    // Below 2^48 bytes (a Buffer's limit is far lower) the top 16 bits of the 64 are zero.
    frame.writeUInt16BE(0, 2);
    frame.writeUIntBE(length, 4, 6);
  }
  let offset = header;
  for (const part of list) offset += part.copy(frame, offset);
  return frame;
}

/** The payload of a frame {@link textFrame} built (a view, not a copy). */
export function framePayload(frame: Buffer): Buffer {
  const field = frame[1]! & 0x7f;
  return frame.subarray(field < 126 ? 2 : field === 126 ? 4 : 10);
}

/** What of a `ws` socket's internals {@link writeWhole} relies on (ws 8), as {@link canWriteWhole} checks them. */
interface SocketInternals {
  _socket: Socket;
  _extensions: Record<string, unknown>;
  _sender: { _state: number; _queue: unknown[] };
}
/** ws's Sender writes each frame synchronously, in order, while it is in this state (and its queue is empty). */
const SENDER_IDLE = 0;

/**
 * Whether frames built once (by {@link textFrame}) may be written whole to this server socket's
 * TCP stream by {@link writeWhole}: its internals are what ws 8 has, and no extension was agreed.
 *
 * Why: `socket.send` frames the payload again for each socket (a header buffer, a corked write
 * of two buffers). A frame built once and written whole as one buffer costs a socket about 12%
 * less CPU (bench/HISTORY.md, problem 23), and a fan-out to thousands of sockets is nearly all
 * writes. It is the stream `ws` writes to: its Sender writes each frame to it synchronously unless
 * it is compressing (an extension agreed: then never here) or reading a Blob (then
 * {@link writeWhole} leaves the frame to `send`, behind it), so frames keep their order, and
 * `bufferedAmount` counts both. Where the internals are not what this expects (another `ws`
 * version), every frame goes through `send`.
 */
export function canWriteWhole(socket: WebSocket): boolean {
  const { _socket: stream, _extensions: extensions, _sender: sender } = socket as unknown as Partial<SocketInternals>;
  if (typeof stream?.write !== 'function') return false;
  if (!sender || sender._state !== SENDER_IDLE || !Array.isArray(sender._queue)) return false;
  return !!extensions && Object.keys(extensions).length === 0;
}

/**
 * The TCP stream of a server socket {@link canWriteWhole} accepts (what {@link writeWhole} writes
 * to, and whose `drain` tells when the socket's backlog is gone); undefined for any other.
 */
export function wholeStream(socket: WebSocket): Socket | undefined {
  return canWriteWhole(socket) ? (socket as unknown as SocketInternals)._socket : undefined;
}

/**
 * Writes a frame {@link textFrame} built to a socket {@link canWriteWhole} accepted, as it is;
 * false (nothing written) where `send` must take it: the socket is not open, or ws's Sender is
 * busy with a frame of its own.
 */
export function writeWhole(socket: WebSocket, frame: Buffer, done?: () => void): boolean {
  const { _sender: sender, _socket: stream } = socket as unknown as SocketInternals;
  if (socket.readyState !== socket.OPEN || sender._state !== SENDER_IDLE || sender._queue.length > 0) return false;
  stream.write(frame, done);
  return true;
}
