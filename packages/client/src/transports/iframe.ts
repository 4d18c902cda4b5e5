import { callbackName, globals } from '../callback-name';
import type { Frame, Transport } from './types';

/**
 * The forever iframe (htmlfile): a hidden same-origin `<iframe>` whose never-ending page runs one
 * `<script>` per frame, each calling `parent.<callback>(frame)`. The iframe's `load` event means the
 * response ended; without an `end` frame first, the stream broke.
 */
export const iframe: Transport = {
  name: 'iframe',
  streaming: true,
  heartbeats: true,
  cors: false,
  usable: (crossOrigin) => !crossOrigin && typeof document === 'object',
  open(url, sink) {
    const name = callbackName();
    const frame = document.createElement('iframe');
    let ended = false;
    const stop = (): void => {
      frame.onload = null;
      frame.remove();
      delete globals[name];
    };
    globals[name] = (received: Frame) => {
      if (received.type === 'end') ended = true;
      sink.frame(received);
    };
    frame.onload = () => {
      stop();
      if (!ended) sink.fail({ message: 'the iframe stream ended' });
    };
    frame.style.display = 'none';
    frame.setAttribute('aria-hidden', 'true');
    frame.src = `${url}&callback=parent.${name}`;
    (document.body ?? document.documentElement).appendChild(frame);
    return stop;
  },
};
