import { reportAnswer, type PollAnswer } from './batch';
import { fetchOk } from './http';
import type { Failure, Transport } from './types';

/** Long-poll JSON over `fetch`: one held request, one batch, then the client polls again. Browser and Node. */
export const poll: Transport = {
  name: 'poll',
  streaming: false,
  heartbeats: false,
  cors: true,
  usable: () => typeof fetch === 'function',
  open(url, sink, request) {
    const controller = new AbortController();
    fetchOk(url, request, { signal: controller.signal })
      .then((response) => response.json() as Promise<PollAnswer>)
      .then(
        (answer) => reportAnswer(answer, sink),
        (failure: Failure) => sink.fail(failure),
      );
    return () => controller.abort();
  },
};
