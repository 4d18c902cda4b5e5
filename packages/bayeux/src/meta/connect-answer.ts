import { cachedFrame, joinedFrames, type Batch, type LogEntry } from '@cometkit/core/kit';
import type { Answer } from '../answer';
import { bayeuxName } from '../channel-name';
import { META, type BayeuxMessage } from '../message';
import type { BayeuxServer } from '../server';
import type { SessionStore } from '../sessions/session-store';

const HEAD = Buffer.from(`[{"channel":"${META.connect}","successful":true`);
const ID = Buffer.from(',"id":');
const CLIENT_ID = Buffer.from(',"clientId":');
const QUOTE = 0x22;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
/** Printable ASCII but `"` and `\`: a string JSON writes as it is, between quotes, one byte a character. */
const PLAIN = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * A successful connect's answer, kept as the few fields it is made of: an HTTP or socket answer
 * is written from them straight into one buffer (the reply as `JSON.stringify` writes it, then
 * the deliveries as the batch's bytes, shared by every session at the same position). The reply
 * object and the deliveries as text are made only if something asks for them (extensions in a
 * pipeline, a JSONP answer).
 */
export class ConnectAnswer implements Answer {
  private reply: BayeuxMessage[] | undefined;
  private texts: string[] | undefined;

  constructor(
    private readonly server: BayeuxServer,
    private readonly clientId: string,
    private readonly replyId: string | number | undefined,
    /** The session has the ack extension: the reply says `ext: { ack: number }`. */
    private readonly ack: boolean,
    /** The answer's number in its session. */
    private readonly number: number,
    private readonly batch: Batch,
  ) {}

  get replies(): BayeuxMessage[] {
    if (this.reply === undefined) {
      const reply: BayeuxMessage = { channel: META.connect, successful: true };
      if (this.replyId !== undefined) reply.id = this.replyId;
      reply.clientId = this.clientId;
      reply.advice = this.server.retryAdvice;
      if (this.ack) reply.ext = { ack: this.number };
      this.reply = [reply];
    }
    return this.reply;
  }

  get deliveries(): string[] {
    return (this.texts ??= this.batch.entries.map(deliveryOf));
  }

  undelivered(): void {
    void forgetAnswer(this.server.sessions, this.clientId, this.number);
  }

  /** The answer as one JSON array, bytes, as `JSON.stringify` would write its reply and deliveries. */
  body(): Buffer {
    const { batch, replyId, clientId } = this;
    const deliveries = batch.entries.length === 0 ? undefined : deliveryBytesOf(batch);
    // Anything but a plain string is rare (an `id` that is a number or needs escapes): made as text.
    const idText = replyId === undefined || isPlain(replyId) ? undefined : JSON.stringify(replyId);
    const clientIdText = isPlain(clientId) ? undefined : JSON.stringify(clientId);
    const ext = this.ack ? `,"ext":{"ack":${JSON.stringify(this.number)}}` : '';
    const adviceBytes = this.server.retryAdviceBytes;
    const size =
      HEAD.length +
      (replyId === undefined ? 0 : ID.length + (idText === undefined ? (replyId as string).length + 2 : Buffer.byteLength(idText))) +
      CLIENT_ID.length +
      (clientIdText === undefined ? clientId.length + 2 : Buffer.byteLength(clientIdText)) +
      adviceBytes.length +
      ext.length +
      1 +
      (deliveries === undefined ? 0 : deliveries.length) +
      1;
    const out = Buffer.allocUnsafe(size);
    let at = HEAD.copy(out, 0);
    if (replyId !== undefined) {
      at += ID.copy(out, at);
      at = idText === undefined ? writeQuoted(out, replyId as string, at) : at + out.write(idText, at);
    }
    at += CLIENT_ID.copy(out, at);
    at = clientIdText === undefined ? writeQuoted(out, clientId, at) : at + out.write(clientIdText, at);
    at += adviceBytes.copy(out, at);
    at += out.write(ext, at, 'latin1');
    out[at++] = CLOSE_OBJECT;
    if (deliveries !== undefined) at += deliveries.copy(out, at);
    out[at] = CLOSE_ARRAY;
    return out;
  }
}

const isPlain = (value: string | number): value is string => typeof value === 'string' && PLAIN.test(value);

function writeQuoted(out: Buffer, text: string, at: number): number {
  out[at] = QUOTE;
  out.write(text, at + 1, 'latin1');
  out[at + 1 + text.length] = QUOTE;
  return at + text.length + 2;
}

/** An answer that never reached its client: its messages are read again from the session's cursor. */
export async function forgetAnswer(sessions: SessionStore, clientId: string, number: number): Promise<void> {
  const current = await sessions.get(clientId);
  if (!current || !current.sent.some((s) => s.batch === number)) return;
  await sessions.update(clientId, { sent: current.sent.filter((s) => s.batch !== number) });
}

/**
 * A log entry as a Bayeux delivery, `{"channel":"/chat/room","data":…}`: never `successful`,
 * never the publisher's clientId. Framed once per entry and shared by every session.
 */
const frames = new WeakMap<LogEntry, string>();

export function deliveryOf(entry: LogEntry): string {
  let frame = frames.get(entry);
  if (frame === undefined) {
    frame = `{"channel":${JSON.stringify(bayeuxName(entry.channel))},"data":${entry.payload}}`;
    frames.set(entry, frame);
  }
  return frame;
}

/** The delivery as an item after the reply in an answer's array, comma first. */
const deliveryItem = (entry: LogEntry): string => ',' + deliveryOf(entry);

/** A batch's deliveries as bytes: one entry's cached frame, or the frames joined once per batch. */
function deliveryBytesOf(batch: Batch): Buffer {
  const { entries } = batch;
  return entries.length === 1 ? cachedFrame(entries[0]!, 'bayeux', deliveryItem) : joinedFrames(batch, 'bayeux', deliveryItem);
}
