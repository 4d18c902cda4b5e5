import { lineSplitter } from '../lines';
import { readText } from './read-text';
import type { Frame, Transport } from './types';

/**
 * XHR streaming: one chunked response of newline-delimited JSON frames, parsed as it grows (the
 * 2 KB prelude of spaces is skipped as white space). In Node it reads the same body with `fetch`.
 */
export const stream: Transport = {
  name: 'stream',
  streaming: true,
  heartbeats: true,
  cors: true,
  usable: () => typeof XMLHttpRequest === 'function' || typeof fetch === 'function',
  open(url, sink, request) {
    let ended = false;
    let broken = false;
    const split = lineSplitter((line) => {
      if (broken) return;
      let frame: Frame;
      try {
        frame = JSON.parse(line) as Frame;
      } catch {
        broken = true;
        return sink.fail({ message: 'the stream sent a line that is not JSON' });
      }
      if (frame.type === 'end') ended = true;
      sink.frame(frame);
    });
    return readText(url, request, {
      text: split,
      done(failure) {
        if (broken) return;
        if (failure || !ended) sink.fail(failure ?? { message: 'the stream ended without an end frame' });
      },
    });
  },
};
