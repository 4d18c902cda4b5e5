import { cometError, type CometError } from '@cometkit/core';

/** What a client may send (PROTOCOL.md, "WebSocket"): one JSON object per text frame. */
export type ClientFrame =
  | { readonly type: 'subscribe' | 'unsubscribe'; readonly channels: readonly unknown[]; readonly id?: FrameId }
  | { readonly type: 'publish'; readonly channel: unknown; readonly data: unknown; readonly id?: FrameId };

/** A client's own tag on a frame, echoed in the answer: a number or a short string. */
export type FrameId = string | number;

/** Reads one text frame; a refusal carries the frame's `id` when it had a usable one. */
export function readClientFrame(text: string): ClientFrame | { error: CometError; id?: FrameId } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { error: cometError('bad_json', 'A frame must be one JSON object.') };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: cometError('bad_request', 'A frame must be one JSON object.') };
  }
  const frame = value as Record<string, unknown>;
  const id = frameId(frame.id);
  const refuse = (message: string): { error: CometError; id?: FrameId } => ({ error: cometError('bad_request', message), id });
  switch (frame.type) {
    case 'subscribe':
    case 'unsubscribe':
      if (!Array.isArray(frame.channels)) return refuse(`A ${frame.type} frame needs "channels": [names].`);
      return { type: frame.type, channels: frame.channels, id };
    case 'publish':
      if (!('data' in frame)) return refuse('A publish frame needs "channel" and "data".');
      return { type: 'publish', channel: frame.channel, data: frame.data, id };
    default:
      return refuse('Unknown frame type; send subscribe, unsubscribe or publish.');
  }
}

function frameId(id: unknown): FrameId | undefined {
  if (typeof id === 'number' && Number.isFinite(id)) return id;
  if (typeof id === 'string' && id.length <= 64) return id;
  return undefined;
}
