import type { Frame, Transport } from './types';

/** The frames of the streaming transports; the socket's answers to frames this client never sends are not among them. */
const FRAMES = { open: 1, message: 1, gap: 1, heartbeat: 1, end: 1 };

/**
 * WebSocket (`{mount}/ws`): the same frame objects as XHR streaming, one per text frame. A socket
 * refused at the upgrade, or closed before its first frame, never opened: the client moves on.
 */
export const ws: Transport = {
  name: 'ws',
  streaming: true,
  heartbeats: true,
  // Across origins it opens only where the server's CORS lists the page's origin (see Selector).
  cors: true,
  usable: () => typeof WebSocket === 'function',
  open(url, sink) {
    const socket = new WebSocket(url.replace(/^http/, 'ws'));
    let ended = false;
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data as string) as Frame;
      if (!(frame.type in FRAMES)) return;
      if (frame.type === 'end') ended = true;
      sink.frame(frame);
    };
    socket.onclose = () => ended || sink.fail({ message: 'the socket closed' });
    return () => {
      socket.onclose = null;
      socket.close();
    };
  },
};
