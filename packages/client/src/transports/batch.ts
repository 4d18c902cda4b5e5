import type { JsonpError, PollAnswer as WireAnswer } from '@cometkit/protocol';
import type { Failure, Sink } from './types';

/** A long-poll answer (PROTOCOL.md, "Long-poll JSON"), or an error as JSONP hands it over. */
export type PollAnswer = WireAnswer | JsonpError;

/** Reports a poll answer as frames: the gap, the messages, then `end` with the cursor to poll from. */
export function reportAnswer(answer: PollAnswer, sink: Sink): void {
  if ('error' in answer) {
    sink.fail({ status: answer.status, code: answer.error.code, message: answer.error.message } satisfies Failure);
    return;
  }
  if (answer.gap) sink.frame(Object.assign({ type: 'gap' as const }, answer.gap));
  for (const message of answer.messages) sink.frame(Object.assign({ type: 'message' as const }, message));
  sink.frame({ type: 'end', reason: 'poll', cursor: answer.cursor });
}
