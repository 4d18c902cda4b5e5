import { isCometError, parseChannel, type CometError, type CometRequest, type ParsedChannel } from '@cometkit/core';
import {
  formatCursor,
  parseCursor,
  timeoutLifetime,
  type Subscriber,
  type Log,
  type Batch,
  type LogEntry,
} from '@cometkit/core/kit';
import { readBayeuxChannel } from './channel-name';
import { newClientId } from './client-id';
import { ConnectWaiter, type ConnectAnswerer, type ConnectOutcome } from './connect-waiter';
import { createFraming, deliveryOf, FramedAnswer } from './framed-answer';
import { Interner } from './interner';
import { bayeuxError, META, type BayeuxAdvice, type BayeuxMessage } from './message';
import type { ExtensionContext, ResolvedBayeuxOptions } from './options';
import { isPlainObject } from './read-messages';
import { failure, failureWithId, HANDSHAKE_ADVICE, replyIdOf, replyTo, replyWithId } from './reply';
import type { BayeuxSession, SentAnswer, SessionPatch } from './session-store';

/** What one request's messages come to: the replies in order, then the deliveries (JSON text). */
export interface Answer {
  readonly replies: BayeuxMessage[];
  readonly deliveries: string[];
  /**
   * Called by the HTTP layer when the request turned out not to be answered after all (its client
   * went away before or while the answer was written): the messages it carried are read again.
   * Called as a method of its answer (a connect's answer is a class that keeps what it needs).
   */
  undelivered?(): void;
  /** The client went away while its connect was held: write nothing. */
  readonly gone?: boolean;
}

type Message = Record<string, unknown>;

/** Unacknowledged answers kept per session (the ack extension may name any of them). */
const MAX_SENT = 4;

/** The Bayeux protocol over a hub and a session store, one request's messages at a time. */
export interface BayeuxProtocol {
  /**
   * Answers one request's messages. `held` is called once a connect among them is held (or, when
   * none is, once all are answered): a socket goes on to its next frame then, as an HTTP client
   * sends its next request beside a held poll.
   */
  process(messages: readonly object[], request: CometRequest, rawLength: number, held?: () => void): Promise<Answer>;
  /** Releases the held connects of sessions the store no longer has (expired or deleted elsewhere). */
  release(ids: readonly string[]): void;
}

/**
 * Builds the protocol (`createBayeux` wraps it in HTTP, `attachBayeuxWebSocket` in a socket).
 * `connectionTypes` is the endpoint's live list of what it serves (WebSocket joins it when attached).
 */
export function createProtocol(options: ResolvedBayeuxOptions, log: Log, connectionTypes: readonly string[]): BayeuxProtocol {
  const { hub, sessions } = options;
  const engine = hub.engine;
  /** Connects held by this process, by clientId. */
  const held = new Map<string, ConnectWaiter>();

  const unknownClient = (message: Message, channel: string): BayeuxMessage =>
    failure(message, channel, bayeuxError(402, [String(message.clientId ?? '')], 'Unknown client'), HANDSHAKE_ADVICE);

  function session(message: Message): Promise<BayeuxSession | undefined> {
    const id = message.clientId;
    return typeof id === 'string' && id.length <= 128 ? sessions.get(id) : NO_SESSION;
  }

  const expiresAfter = (ms: number): number => Date.now() + ms + options.sessionTimeoutMs;

  async function handshake(message: Message, request: CometRequest): Promise<BayeuxMessage> {
    const channel = META.handshake;
    const types = message.supportedConnectionTypes;
    if (!Array.isArray(types) || !types.every((t) => typeof t === 'string')) {
      return failure(message, channel, bayeuxError(400, ['supportedConnectionTypes'], 'Missing or malformed field'));
    }
    if (!types.some((t) => connectionTypes.includes(t))) {
      const reply = failure(message, channel, bayeuxError(301, types.slice(0, 8), 'Connection types not supported'), { reconnect: 'none' });
      reply.supportedConnectionTypes = [...connectionTypes];
      return reply;
    }
    const ext = message.ext;
    if (!(await engine.authorize('handshake', { channels: [], request, transport: 'bayeux', ext }))) {
      return failure(message, channel, bayeuxError(403, [], 'Handshake denied'), { reconnect: 'none' });
    }
    if ((await sessions.count()) >= options.maxSessions) {
      return failure(message, channel, bayeuxError(503, [], 'Too many sessions; retry later'), { reconnect: 'handshake', interval: 2000 });
    }
    const ack = options.ack && isPlainObject(ext) && ext.ack === true;
    const id = newClientId();
    const created = await sessions.create({
      id,
      subscriptions: [],
      cursor: formatCursor(engine.head()),
      sent: [],
      batch: 0,
      ack,
      expiresAt: expiresAfter(0),
    });
    if (!created) return failure(message, channel, bayeuxError(500, [], 'Could not create a session; retry'), { reconnect: 'handshake', interval: 1000 });
    const reply = replyTo(message, channel, true);
    reply.version = '1.0';
    reply.supportedConnectionTypes = [...connectionTypes];
    reply.clientId = id;
    reply.advice = { reconnect: 'retry', interval: options.intervalMs, timeout: options.timeoutMs };
    if (ack) reply.ext = { ack: true };
    return reply;
  }

  /**
   * The connect's change to its session: where the next read starts once it has acknowledged
   * what it acknowledges, and when the session expires. One object, the store's patch itself.
   */
  function acknowledge(found: BayeuxSession, message: Message, expiresAt: number): SessionPatch {
    const ext = message.ext;
    const acked = found.ack && isPlainObject(ext) && typeof ext.ack === 'number' ? ext.ack : undefined;
    if (acked === undefined) {
      // Without the ack extension, a new connect says the client has the last answer that was
      // written in full (an answer cut off on the way was taken out of `sent` when it failed).
      const last = found.sent[found.sent.length - 1];
      return { cursor: last ? last.cursor : found.cursor, sent: NONE_SENT, expiresAt };
    }
    const named = found.sent.find((s) => s.batch === acked);
    return { cursor: named ? named.cursor : found.cursor, sent: found.sent.filter((s) => s.batch > acked), expiresAt };
  }

  // A store in this process's memory answers at once: a connect then takes no promise hop (and
  // no closure) per step; the steps below branch on a promise rather than chain through `then`.
  const immediate = sessions.immediate;
  const getSession = (id: string): Maybe<BayeuxSession | undefined> => (immediate ? immediate.get(id) : sessions.get(id));
  const updateSession = (id: string, patch: SessionPatch): Maybe<BayeuxSession | undefined> =>
    immediate ? immediate.update(id, patch) : sessions.update(id, patch);

  function connect(message: Message, request: CometRequest, alone: boolean, onHeld: (() => void) | undefined): Maybe<Answer> {
    const id = message.clientId;
    if (typeof id !== 'string' || id.length > 128) return only(unknownClient(message, META.connect));
    const found = getSession(id);
    if (found instanceof Promise) return found.then((session) => connectFound(session, message, request, alone, onHeld));
    return connectFound(found, message, request, alone, onHeld);
  }

  function connectFound(found: BayeuxSession | undefined, message: Message, request: CometRequest, alone: boolean, onHeld: (() => void) | undefined): Maybe<Answer> {
    const channel = META.connect;
    if (!found) return only(unknownClient(message, channel));
    const type = message.connectionType;
    if (typeof type !== 'string') return only(failure(message, channel, bayeuxError(400, ['connectionType'], 'Missing field')));
    if (!connectionTypes.includes(type)) return only(failure(message, channel, bayeuxError(301, [type], 'Connection type not supported')));
    const advice = isPlainObject(message.advice) ? message.advice : undefined;
    const asked = advice && typeof advice.timeout === 'number' && Number.isFinite(advice.timeout) && advice.timeout >= 0 ? advice.timeout : options.timeoutMs;
    // A connect batched with other messages is answered at once: their replies must not wait.
    const holdMs = alone ? Math.min(Math.max(engine.options.minHoldMs, asked), engine.options.maxHoldMs) : 0;
    const current = updateSession(found.id, acknowledge(found, message, expiresAfter(holdMs)));
    if (current instanceof Promise) return current.then((session) => connectHeld(session, message, request, holdMs, onHeld));
    return connectHeld(current, message, request, holdMs, onHeld);
  }

  function connectHeld(current: BayeuxSession | undefined, message: Message, request: CometRequest, holdMs: number, onHeld: (() => void) | undefined): Maybe<Answer> {
    if (!current) return only(unknownClient(message, META.connect));
    held.get(current.id)?.release('superseded');
    // The waiter keeps the message's `id`, not the message: nothing of the request's body is
    // kept alive while the connect is held.
    const channels = channelsOf(current.subscriptions);
    const waiter = new ConnectWaiter(current.id, replyIdOf(message), channels.key, answerer);
    held.set(current.id, waiter);
    onHeld?.();
    hold(waiter, current, channels.parsed, message.ext, request, holdMs);
    return waiter.answer;
  }

  function hold(waiter: ConnectWaiter, current: BayeuxSession, channels: readonly ParsedChannel[], ext: unknown, request: CometRequest, holdMs: number): void {
    const from = parseCursor(current.cursor);
    let subscribed: ReturnType<typeof engine.subscribe>;
    try {
      subscribed = engine.subscribe({
        transport: 'bayeux',
        channels,
        cursor: isCometError(from) ? undefined : from,
        sentCursor: current.cursor,
        request,
        signal: request.signal,
        handlers: waiter,
        lifetime: timeoutLifetime(holdMs),
        once: true,
        // Only `authorize` reads the context: without one, nothing is made for it.
        context: engine.options.hasAuthorize ? { session: { clientId: current.id }, ext } : undefined,
      });
    } catch (error) {
      // A synchronous `authorize` threw: the same as a rejected one.
      waiter.fail(error);
      return;
    }
    // `authorize` threw: a bug of the app's, handed to the framework's error handling.
    if (subscribed instanceof Promise) subscribed.then((result) => admitted(waiter, result), (error: unknown) => waiter.fail(error));
    else admitted(waiter, subscribed);
  }

  /** What every held connect settles through: its answer, from its outcome. */
  const answerer: ConnectAnswerer = {
    answer(waiter, outcome) {
      if (held.get(waiter.clientId) === waiter) held.delete(waiter.clientId);
      return connectAnswer(outcome, waiter);
    },
    answerBatch(waiter, batch) {
      if (held.get(waiter.clientId) === waiter) held.delete(waiter.clientId);
      return batchAnswer(waiter, batch);
    },
  };

  const unknownAnswer = (waiter: ConnectWaiter): Answer =>
    only(failureWithId(waiter.replyId, META.connect, bayeuxError(402, [waiter.clientId], 'Unknown client'), HANDSHAKE_ADVICE));

  function succeeded(waiter: ConnectWaiter, advice: BayeuxMessage['advice']): BayeuxMessage {
    const reply = replyWithId(waiter.replyId, META.connect, true);
    reply.clientId = waiter.clientId;
    reply.advice = advice;
    return reply;
  }

  /** A held connect that ended without a batch of messages: its answer. */
  function connectAnswer(outcome: ConnectOutcome, waiter: ConnectWaiter): Maybe<Answer> {
    const channel = META.connect;
    const { clientId: id, replyId } = waiter;
    if (outcome.kind === 'refused') {
      const { error } = outcome;
      if (error.code === 'bad_request') return GONE_ANSWER;
      if (error.code === 'forbidden') return only(failureWithId(replyId, channel, bayeuxError(403, [id], 'Subscription denied'), { reconnect: 'none' }));
      return only(failureWithId(replyId, channel, bayeuxError(503, [], error.message), { reconnect: 'retry', interval: 2000 }));
    }
    if (outcome.kind === 'released') {
      if (outcome.why === 'expired') return unknownAnswer(waiter);
      return only(succeeded(waiter, outcome.why === 'disconnected' ? { reconnect: 'none', interval: 0 } : retryAdvice()));
    }
    if (outcome.kind === 'end' && outcome.reason === 'gone') return GONE_ANSWER;
    if (outcome.kind === 'end' && outcome.reason === 'error') {
      return only(failureWithId(replyId, channel, bayeuxError(503, [], 'The message log is unavailable; retry'), { reconnect: 'retry', interval: 1000 }));
    }
    return batchAnswer(waiter, outcome.kind === 'batch' ? outcome.batch : { entries: [] as LogEntry[], cursor: outcome.cursor });
  }

  /** A held connect's answer of a batch (empty when its hold ran out): recorded in its session first. */
  function batchAnswer(waiter: ConnectWaiter, batch: Batch): Maybe<Answer> {
    if (batch.gap) {
      // History no longer covers this session: say so, end the session, and have the client start over.
      const reply = succeeded(waiter, { ...HANDSHAKE_ADVICE });
      reply.ext = { gap: { reason: batch.gap.reason, from: batch.gap.from } };
      return sessions.delete(waiter.clientId).then(() => only(reply));
    }
    const before = getSession(waiter.clientId);
    if (before instanceof Promise) return before.then((session) => recordAnswer(waiter, batch, session));
    return recordAnswer(waiter, batch, before);
  }

  function recordAnswer(waiter: ConnectWaiter, batch: Batch, before: BayeuxSession | undefined): Maybe<Answer> {
    if (!before) return unknownAnswer(waiter);
    if (channelsOf(before.subscriptions).key !== waiter.subscriptionKey) {
      // Another process changed the subscriptions while this one held the connect with the old
      // ones: its answer could pass over messages of a channel just added. Answer without
      // messages and leave the cursor, so the next connect reads from it with the new ones.
      return only(succeeded(waiter, retryAdvice()));
    }
    const number = before.batch + 1;
    const answer: SentAnswer = { batch: number, cursor: batch.cursor };
    const sent = before.sent.length === 0 ? [answer] : [...before.sent, answer].slice(-MAX_SENT);
    const after = updateSession(waiter.clientId, { batch: number, sent, expiresAt: expiresAfter(0) });
    if (after instanceof Promise) return after.then((session) => answered(waiter, batch, number, session));
    return answered(waiter, batch, number, after);
  }

  function answered(waiter: ConnectWaiter, batch: Batch, number: number, after: BayeuxSession | undefined): Answer {
    if (!after) return unknownAnswer(waiter);
    // The reply and its text are made from these fields only when asked for (see FramedAnswer).
    if (!hasOutgoing) return new FramedAnswer(framing, waiter.clientId, waiter.replyId, after.ack, number, batch);
    const reply = succeeded(waiter, retryAdvice());
    if (after.ack) reply.ext = { ack: number };
    return { replies: [reply], deliveries: batch.entries.map(deliveryOf), undelivered: () => void forget(waiter.clientId, number) };
  }

  /** An answer that never reached its client: its messages are read again from the session's cursor. */
  async function forget(id: string, batch: number): Promise<void> {
    const current = await sessions.get(id);
    if (!current || !current.sent.some((s) => s.batch === batch)) return;
    await sessions.update(id, { sent: current.sent.filter((s) => s.batch !== batch) });
  }

  const retryAdvice = (): BayeuxAdvice => ({ reconnect: 'retry', interval: options.intervalMs, timeout: options.timeoutMs });
  const framing = createFraming(retryAdvice(), forget);

  /** The subscription field as a list of names, or undefined when missing or malformed. */
  function subscriptionList(message: Message): string[] | undefined {
    const field = message.subscription;
    const list = typeof field === 'string' ? [field] : field;
    if (!Array.isArray(list) || list.length === 0 || !list.every((s) => typeof s === 'string')) return undefined;
    return list as string[];
  }

  async function changeSubscriptions(message: Message, request: CometRequest, subscribe: boolean): Promise<BayeuxMessage> {
    const channel = subscribe ? META.subscribe : META.unsubscribe;
    const found = await session(message);
    if (!found) return unknownClient(message, channel);
    const list = subscriptionList(message);
    const fail = (error: string): BayeuxMessage => withSubscription(failure(message, channel, error), message, found.id);
    if (!list) return fail(bayeuxError(400, ['subscription'], 'Missing or malformed field'));
    const names: string[] = [];
    for (const name of list) {
      const read = readBayeuxChannel(name, true);
      if (read.kind === 'invalid') return fail(bayeuxError(405, [name], 'Invalid channel'));
      if (read.kind === 'meta') return fail(bayeuxError(403, [name], 'Meta channels cannot be subscribed to'));
      // A service channel is request/response: nothing is ever broadcast on it, so there is nothing to record.
      if (read.kind === 'hub') names.push(read.parsed.name);
    }
    let updated: BayeuxSession | undefined;
    if (subscribe) {
      const total = new Set([...found.subscriptions, ...names]).size;
      if (total > options.maxSubscriptions) return fail(bayeuxError(409, [String(options.maxSubscriptions)], 'Too many subscriptions'));
      const context = { channels: names, request, transport: 'bayeux', session: { clientId: found.id }, ext: message.ext };
      if (names.length > 0 && !(await engine.authorize('subscribe', context))) {
        return fail(bayeuxError(403, [found.id, ...list], 'Subscription denied'));
      }
      updated = names.length > 0 ? await sessions.subscribe(found.id, names) : found;
    } else {
      updated = names.length > 0 ? await sessions.unsubscribe(found.id, names) : found;
    }
    if (!updated) return unknownClient(message, channel);
    const waiter = held.get(found.id);
    if (waiter) {
      const channels = channelsOf(updated.subscriptions);
      waiter.setChannels(channels.parsed, channels.key);
    }
    return withSubscription(replyTo(message, channel, true), message, found.id);
  }

  async function disconnect(message: Message): Promise<BayeuxMessage> {
    const channel = META.disconnect;
    const found = await session(message);
    if (!found) return unknownClient(message, channel);
    await sessions.delete(found.id);
    held.get(found.id)?.release('disconnected');
    const reply = replyTo(message, channel, true);
    reply.clientId = found.id;
    return reply;
  }

  async function publish(message: Message, request: CometRequest): Promise<BayeuxMessage> {
    const name = message.channel as string;
    const read = readBayeuxChannel(name, false);
    if (read.kind === 'meta') return failure(message, name, bayeuxError(404, [name], 'Unknown meta channel'));
    if (read.kind === 'invalid') return failure(message, name, bayeuxError(405, [name], 'Invalid channel'));
    const found = await session(message);
    if (!found) return unknownClient(message, name);
    if (!('data' in message)) return failure(message, name, bayeuxError(400, ['data'], 'Missing field'));
    const channels = read.kind === 'hub' ? [read.parsed.name] : [name];
    const context = { channels, data: message.data, request, transport: 'bayeux', session: { clientId: found.id }, ext: message.ext };
    if (!(await engine.authorize('publish', context))) return failure(message, name, bayeuxError(403, [name], 'Publish denied'));
    // `/service/*` is the client talking to the server (extensions see it): never broadcast.
    if (read.kind === 'hub') {
      try {
        await engine.publish(read.parsed, message.data);
      } catch (error) {
        log.error('publish to %s failed: %O', name, error);
        return failure(message, name, bayeuxError(407, [name], 'Publish failed'));
      }
    }
    return replyTo(message, name, true);
  }

  /** One message, after the incoming extensions. */
  function dispatch(message: Message, request: CometRequest, alone: boolean, onHeld: (() => void) | undefined): Maybe<Answer> {
    switch (message.channel) {
      case META.handshake:
        return handshake(message, request).then(only);
      case META.connect:
        return connect(message, request, alone, onHeld);
      case META.subscribe:
        return changeSubscriptions(message, request, true).then(only);
      case META.unsubscribe:
        return changeSubscriptions(message, request, false).then(only);
      case META.disconnect:
        return disconnect(message).then(only);
      default:
        return publish(message, request).then(only);
    }
  }

  async function incoming(message: Message, context: ExtensionContext): Promise<Message> {
    let current = message as BayeuxMessage;
    for (const extension of options.extensions) {
      if (!extension.incoming) continue;
      current = await extension.incoming(current, context);
      if (!isPlainObject(current)) throw new TypeError('A Bayeux extension\'s incoming() must return the message.');
      if (typeof current.error === 'string') break;
    }
    return current;
  }

  async function outgoing(message: BayeuxMessage, context: ExtensionContext): Promise<BayeuxMessage> {
    let current = message;
    for (const extension of options.extensions) {
      if (!extension.outgoing) continue;
      current = await extension.outgoing(current, context);
      if (!isPlainObject(current)) throw new TypeError('A Bayeux extension\'s outgoing() must return the message.');
    }
    return current;
  }

  /** Several messages, or extensions to run: each message in order, through the extensions. */
  async function pipeline(list: readonly Message[], request: CometRequest, rawLength: number, onHeld: (() => void) | undefined): Promise<Answer> {
    const replies: BayeuxMessage[] = [];
    let deliveries: string[] = [];
    let undelivered: (() => void) | undefined;
    let connects = 0;
    let gone = false;
    const handshakeInBatch = list.length > 1 && list.some((m) => m.channel === META.handshake);
    // Every message is smaller than the whole: only a large request is measured message by message.
    const measure = rawLength > options.maxMessageBytes;
    for (const original of list) {
      const channel = typeof original.channel === 'string' ? original.channel : undefined;
      if (channel === undefined) {
        replies.push(failure(original, '', bayeuxError(400, ['channel'], 'Missing or malformed field')));
        continue;
      }
      if (handshakeInBatch) {
        replies.push(failure(original, channel, bayeuxError(400, [], 'A handshake must be the only message of its request')));
        continue;
      }
      if (measure && JSON.stringify(original).length > options.maxMessageBytes) {
        replies.push(failure(original, channel, bayeuxError(413, [String(options.maxMessageBytes)], 'Message too large')));
        continue;
      }
      const context: ExtensionContext = { request, clientId: typeof original.clientId === 'string' ? original.clientId : undefined };
      const message = options.extensions.length > 0 ? await incoming(original, context) : original;
      if (typeof message.error === 'string') {
        replies.push(failure(message, channel, message.error));
        continue;
      }
      if (message.channel === META.connect && ++connects > 1) {
        replies.push(failure(message, META.connect, bayeuxError(400, [], 'One /meta/connect per request')));
        continue;
      }
      const answer = await dispatch(message, request, list.length === 1, onHeld);
      if (answer.gone) gone = true;
      replies.push(...answer.replies);
      if (answer.deliveries.length > 0) deliveries = answer.deliveries;
      // Called as a method: a connect's answer keeps what it needs on itself, not in a closure.
      if (answer.undelivered) undelivered = () => answer.undelivered!();
    }
    if (hasOutgoing) {
      const context: ExtensionContext = { request };
      for (let i = 0; i < replies.length; i++) replies[i] = await outgoing(replies[i]!, context);
      const out: string[] = [];
      for (const delivery of deliveries) out.push(JSON.stringify(await outgoing(JSON.parse(delivery) as BayeuxMessage, context)));
      deliveries = out;
    }
    return { replies, deliveries, undelivered, gone: gone && replies.length === 0 };
  }

  const hasOutgoing = options.extensions.some((e) => e.outgoing);
  const noExtensions = options.extensions.length === 0;

  return {
    release(ids) {
      for (const id of ids) held.get(id)?.release('expired');
    },
    process(messages, request, rawLength, onHeld) {
      const list = messages as Message[];
      const first = list[0];
      // The common request, one message and no extension: its answer is the message's own, with
      // no pipeline to run (checked as the loop below would), and for a connect no promise but
      // the held connect's own.
      if (list.length === 1 && noExtensions && typeof first?.channel === 'string' && rawLength <= options.maxMessageBytes) {
        try {
          return Promise.resolve(dispatch(first, request, true, onHeld));
        } catch (error) {
          return Promise.reject(error);
        }
      }
      return pipeline(list, request, rawLength, onHeld);
    },
  };

}

/** An answer as one JSON array: the replies in order, then the deliveries. */
export function answerText(answer: Answer): string {
  return `[${answer.replies.map((r) => JSON.stringify(r)).concat(answer.deliveries).join(',')}]`;
}

/** {@link answerText}, written straight from a connect answer's fields when it is one. */
export function answerBody(answer: Answer): string | Buffer {
  return answer instanceof FramedAnswer ? answer.body() : answerText(answer);
}

const NO_SESSION: Promise<undefined> = Promise.resolve(undefined);
/** A connect that acknowledged everything leaves this in its session (stores only read a patch). */
const NONE_SENT: readonly SentAnswer[] = Object.freeze([]);

/** The engine's verdict on a held connect: refused, or its subscriber to keep. */
function admitted(waiter: ConnectWaiter, result: Subscriber | CometError): void {
  if (isCometError(result)) waiter.refuse(result);
  else waiter.attach(result);
}

function withSubscription(reply: BayeuxMessage, message: Message, clientId: string): BayeuxMessage {
  reply.clientId = clientId;
  const field = message.subscription;
  if (typeof field === 'string' || Array.isArray(field)) reply.subscription = field as string | string[];
  return reply;
}

/** A value now, or later (a store in this process answers at once, one in Redis does not). */
type Maybe<T> = T | Promise<T>;

const only = (reply: BayeuxMessage): Answer => ({ replies: [reply], deliveries: [] });
const GONE_ANSWER: Answer = { replies: [], deliveries: [], gone: true };

/** A session's subscriptions as the engine takes them, and as one comparable key. */
interface SessionChannels {
  readonly parsed: readonly ParsedChannel[];
  /** The names sorted and joined: a store may list them in any order. */
  readonly key: string;
}

/**
 * Subscriptions parsed once per list, not once per connect, and shared by every subscriber that
 * reads with them: by the list itself (the memory store shares one list between sessions in the
 * same state), else by its key (a store that gives a new list on every read).
 */
const channelsByList = new WeakMap<readonly string[], SessionChannels>();
const channelsByKey = new Interner<SessionChannels>();

function channelsOf(names: readonly string[]): SessionChannels {
  let channels = channelsByList.get(names);
  if (channels === undefined) {
    const key = [...names].sort().join('\n');
    channels = channelsByKey.get(key, () => ({ parsed: Object.freeze(parsedAll(names)), key }));
    channelsByList.set(names, channels);
  }
  return channels;
}

/** Subscriptions as the engine takes them (they were checked when subscribed). */
function parsedAll(names: readonly string[]): ParsedChannel[] {
  const out: ParsedChannel[] = [];
  for (const name of names) {
    const parsed = parseChannel(name, true);
    if (!isCometError(parsed)) out.push(parsed);
  }
  return out;
}
