import type { MessageFrame } from './frames';

/**
 * One message of a {@link MessagesFrame}: its position after the frame's epoch (a number, or the
 * `17_0_4` text of a partitioned log), its channel unless it is the previous message's, its data.
 */
export type MessageTuple = readonly [position: number | string, channel: string, data: unknown] | readonly [position: number | string, data: unknown];

/**
 * The compact form of a batch of messages, sent over WebSocket to a socket opened with
 * `frames=compact` (PROTOCOL.md, *WebSocket*): `{"type":"messages","epoch":E,"messages":[…]}`,
 * the epoch written once and each message as a {@link MessageTuple}.
 */
export interface MessagesFrame {
  type: 'messages';
  epoch: string;
  messages: readonly MessageTuple[];
}

/**
 * The messages of a compact frame as `message` frames, in order: message `[P, …]` has the cursor
 * `E-P`; a two-element tuple is on the channel of the one before it. Throws on a frame that does
 * not follow that form (a first message without its channel, a tuple of another length).
 */
export function expandMessages(frame: MessagesFrame): MessageFrame[] {
  const out: MessageFrame[] = [];
  let channel: string | undefined;
  for (const tuple of frame.messages) {
    if (tuple.length === 3) channel = tuple[1];
    else if (tuple.length !== 2) throw new Error('a compact message is [position, channel, data] or [position, data]');
    else if (channel === undefined) throw new Error('the first compact message of a frame names no channel');
    out.push({ type: 'message', channel, cursor: `${frame.epoch}-${tuple[0]}`, data: tuple[tuple.length - 1] });
  }
  return out;
}
