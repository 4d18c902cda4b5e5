import type { Frame as ProtocolFrame } from '@cometkit/protocol';

/** One thing a client received, whatever the transport: the frame objects of PROTOCOL.md. */
export interface Frame {
  type: ProtocolFrame['type'];
  channel?: string;
  cursor?: string;
  data?: unknown;
  reason?: string;
  from?: string;
  heartbeatMs?: number;
}

/**
 * Turns the body received so far into frames: what it could parse, and the text left over for
 * next time. `final` is true once the response has ended.
 */
export type Parser = (text: string, final: boolean) => { frames: Frame[]; rest: string };

const pollParser: Parser = (text, final) => (final ? { frames: batchFrames(JSON.parse(text)), rest: '' } : { frames: [], rest: text });

function batchFrames(body: { cursor: string; messages: Frame[]; gap?: { reason: string; from: string } }): Frame[] {
  const frames: Frame[] = [];
  if (body.gap) frames.push({ type: 'gap', ...body.gap });
  for (const message of body.messages) frames.push({ ...message, type: 'message' });
  frames.push({ type: 'end', reason: 'batch', cursor: body.cursor });
  return frames;
}

const JSONP_BODY = /^\/\*\*\/typeof ([\w$.]+)==='function'&&\1\(([\s\S]*)\);$/;
const jsonpParser: Parser = (text, final) => {
  if (!final) return { frames: [], rest: text };
  const match = JSONP_BODY.exec(text);
  if (!match) throw new Error(`not a JSONP body: ${text.slice(0, 200)}`);
  const value = JSON.parse(match[2]!);
  return { frames: value.error ? [{ type: 'end', reason: 'error', data: value }] : batchFrames(value), rest: '' };
};

const ndjsonParser: Parser = (text) => {
  const lines = text.split('\n');
  const rest = lines.pop()!;
  return { frames: lines.filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Frame), rest };
};

const IFRAME_FRAME = /<script>p\(([\s\S]*?)\);<\/script>\n/g;
const iframeParser: Parser = (text) => {
  const frames: Frame[] = [];
  let consumed = 0;
  for (const match of text.matchAll(IFRAME_FRAME)) {
    frames.push(JSON.parse(match[1]!));
    consumed = match.index! + match[0].length;
  }
  return { frames, rest: text.slice(consumed) };
};

const sseParser: Parser = (text) => {
  const blocks = text.split('\n\n');
  const rest = blocks.pop()!;
  const frames: Frame[] = [];
  for (const block of blocks) {
    let event = 'message';
    let data: string | undefined;
    let id: string | undefined;
    for (const line of block.split('\n')) {
      if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data = (data === undefined ? '' : data + '\n') + line.slice(6);
      else if (line.startsWith('id: ')) id = line.slice(4);
    }
    if (data === undefined) continue; // comments and the retry line

    const value = JSON.parse(data);
    if (event === 'ready') frames.push({ ...value, type: 'open' });
    else if (event === 'heartbeat') frames.push({ type: 'heartbeat' });
    else if (event === 'message') {
      if (value.cursor !== id) throw new Error(`SSE id ${id} differs from the message cursor ${value.cursor}`);
      frames.push({ ...value, type: 'message' });
    } else frames.push({ ...value, type: event as Frame['type'] });
  }
  return { frames, rest };
};


/** The built-in transports' parsers, for a custom transport that frames as one of them does. */
export const parsers = { poll: pollParser, jsonp: jsonpParser, sse: sseParser, ndjson: ndjsonParser, iframe: iframeParser } as const;
