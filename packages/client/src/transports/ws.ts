import { expandMessages, type MessagesFrame } from '@cometkit/protocol';
import type { Failure, Frame, Stop, Transport } from './types';

/** The frames of the streaming transports; the answers to `subscribe`/`unsubscribe` are not among them. */
const FRAMES = { open: 1, message: 1, gap: 1, heartbeat: 1, end: 1 };

/**
 * WebSocket (`{mount}/ws`): the same frame objects as XHR streaming, one per text frame, except
 * that messages come as compact `messages` frames (`frames=compact`: the epoch once, a position
 * and the data per message, a third of the bytes). A server that sends `message` objects (one per
 * frame, or one per line of a frame) is read as well. A socket
 * refused at the upgrade, or closed before its first frame, never opened: the client moves on.
 * Subscription changes go over the open socket as `subscribe`/`unsubscribe` frames; one the
 * server refuses fails the socket, so the client reconnects with its whole set and hears why.
 */
export const ws: Transport = {
  name: 'ws',
  streaming: true,
  heartbeats: true,
  // Across origins it opens only where the server's CORS lists the page's origin (see Selector).
  cors: true,
  usable: () => typeof WebSocket === 'function',
  open(url, sink) {
    const socket = new WebSocket(`${url.replace(/^http/, 'ws')}${url.includes('?') ? '&' : '?'}frames=compact`);
    let ended = false;
    socket.onmessage = (event) => {
      // One frame object per text frame, or a batch of messages as lines of one frame.
      for (const line of (event.data as string).split('\n')) {
        if (!line) continue;
        const frame = JSON.parse(line) as Frame | MessagesFrame | ({ type: 'error' } & Failure);
        if (frame.type === 'error') return sink.fail(frame);
        if (frame.type === 'messages') {
          for (const message of expandMessages(frame)) sink.frame(message);
          continue;
        }
        if (!(frame.type in FRAMES)) continue;
        if (frame.type === 'end') ended = true;
        sink.frame(frame);
      }
    };
    socket.onclose = () => ended || sink.fail({ message: 'the socket closed' });
    const send = (type: string, channels: string[]): unknown => channels.length && socket.send(JSON.stringify({ type, channels }));
    const stop: Stop = () => {
      socket.onclose = null;
      socket.close();
    };
    // Unsubscribing first frees room under the server's channel limit.
    stop.update = (add, remove) => (send('unsubscribe', remove), send('subscribe', add));
    return stop;
  },
};
