/**
 * Long-poll protocols with server-side sessions and no cursor: Bayeux (Faye) and Engine.IO v4
 * polling (Socket.IO). The server queues messages per session between two polls.
 */
import { fetchText, sleep, sourceAddress, subscriberAgent, type Endpoint, type TextResponse } from './http';
import { Connection, type Protocol, type ProtocolContext, type Subscription } from './protocol';
import type { SubState } from './tracker';

// --- Bayeux 1.0 over HTTP long-polling (Faye at /faye) ---------------------------------------------

interface BayeuxMessage {
  channel: string;
  successful?: boolean;
  clientId?: string;
  data?: { seq: number; t: number };
  advice?: { reconnect?: string };
}

/**
 * Runs `session` (open a session, then poll until it ends) again and again until stopped. A
 * session that ends, or fails, while the subscriber still wants messages counts as an error:
 * messages published meanwhile are lost.
 */
function sessionLoop(context: ProtocolContext, maxSockets: number, session: (connection: Connection) => Promise<void>): Subscription {
  const connection = new Connection(context.port, maxSockets);
  void (async () => {
    while (!connection.stopped) {
      try {
        await session(connection);
        if (!connection.stopped) context.tracker.errors++;
      } catch {
        if (connection.stopped) return;
        context.tracker.errors++;
        await sleep(100);
      }
    }
  })();
  return connection;
}

let bayeuxIds = 0;

function bayeuxPost(endpoint: Endpoint, messages: object[], connection?: Connection): Promise<TextResponse> {
  const body = JSON.stringify(messages.map((message) => ({ ...message, id: String(++bayeuxIds) })));
  const spec = { method: 'POST', path: '/faye', headers: { 'content-type': 'application/json' }, body };
  return fetchText(endpoint, spec, (req) => connection?.track(req));
}

async function bayeuxHandshake(endpoint: Endpoint, connection?: Connection): Promise<string> {
  const res = await bayeuxPost(
    endpoint,
    [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }],
    connection,
  );
  const [reply] = JSON.parse(res.text) as BayeuxMessage[];
  if (!reply?.successful || !reply.clientId) throw new Error(`bayeux handshake failed: ${res.text}`);
  return reply.clientId;
}

const connectMessage = (clientId: string): object => ({ channel: '/meta/connect', clientId, connectionType: 'long-polling' });

function bayeuxSubscriber(context: ProtocolContext, sub: SubState): Subscription {
  return sessionLoop(context, 1, async (connection) => {
    const { endpoint } = connection;
    const clientId = await bayeuxHandshake(endpoint, connection);
    await bayeuxPost(endpoint, [{ channel: '/meta/subscribe', clientId, subscription: '/bench/feed' }], connection);
    for (let session = true; session && !connection.stopped; ) {
      const res = await bayeuxPost(endpoint, [connectMessage(clientId)], connection);
      for (const message of JSON.parse(res.text) as BayeuxMessage[]) {
        if (message.channel === '/bench/feed' && message.data) context.tracker.record(sub, message.data.seq, message.data.t, res.arrival);
        if (message.channel === '/meta/connect' && !message.successful) session = false;
      }
    }
  });
}

/** Bayeux churn: a handshake, then a held `/meta/connect` dropped after `holdMs`. */
async function bayeuxChurn(port: number, holdMs: number): Promise<void> {
  const agent = subscriberAgent(1);
  const endpoint: Endpoint = { port, agent, localAddress: sourceAddress() };
  try {
    const clientId = await bayeuxHandshake(endpoint);
    const held = bayeuxPost(endpoint, [connectMessage(clientId)]);
    held.catch(() => {});
    await sleep(holdMs);
  } finally {
    agent.destroy();
  }
}

export const bayeux: Protocol = { subscribe: bayeuxSubscriber, churn: bayeuxChurn };

// --- Engine.IO v4 polling (Socket.IO at /socket.io/) ---------------------------------------------------

const EIO = '/socket.io/?EIO=4&transport=polling';
const SEPARATOR = '\x1e';

/** Opens an Engine.IO session and joins the default Socket.IO namespace; returns the sid. */
async function eioOpen(endpoint: Endpoint, connection?: Connection): Promise<string> {
  const track = (req: import('node:http').ClientRequest): void => connection?.track(req);
  const open = await fetchText(endpoint, { path: EIO }, track);
  if (open.status !== 200 || !open.text.startsWith('0')) throw new Error(`engine.io open failed: ${open.text}`);
  const { sid } = JSON.parse(open.text.split(SEPARATOR)[0]!.slice(1)) as { sid: string };
  const join = await fetchText(endpoint, { method: 'POST', path: `${EIO}&sid=${sid}`, body: '40', headers: { 'content-type': 'text/plain' } }, track);
  if (join.text !== 'ok') throw new Error(`socket.io connect failed: ${join.text}`);
  return sid;
}

function eioSubscriber(context: ProtocolContext, sub: SubState): Subscription {
  // Two sockets, as a browser uses: the held GET and the POST of a pong.
  return sessionLoop(context, 2, async (connection) => {
    const { endpoint } = connection;
    const sid = await eioOpen(endpoint, connection);
    const path = `${EIO}&sid=${sid}`;
    for (let open = true; open && !connection.stopped; ) {
      const res = await fetchText(endpoint, { path }, (req) => connection.track(req));
      if (res.status !== 200) break;
      for (const packet of res.text.split(SEPARATOR)) {
        if (packet.startsWith('42')) context.tracker.scan(sub, packet, res.arrival);
        else if (packet === '2') {
          const pong = { method: 'POST', path, body: '3', headers: { 'content-type': 'text/plain' } };
          fetchText(endpoint, pong, (req) => connection.track(req)).catch(() => {});
        } else if (packet === '1' || packet.startsWith('44')) open = false;
      }
    }
  });
}

/** Engine.IO churn: open a session, join, take the connect ack, hold a poll for `holdMs`, drop it. */
async function eioChurn(port: number, holdMs: number): Promise<void> {
  const agent = subscriberAgent(1);
  const endpoint: Endpoint = { port, agent, localAddress: sourceAddress() };
  try {
    const sid = await eioOpen(endpoint);
    await fetchText(endpoint, { path: `${EIO}&sid=${sid}` }); // `40{"sid":…}`: the namespace ack
    fetchText(endpoint, { path: `${EIO}&sid=${sid}` }).catch(() => {});
    await sleep(holdMs);
  } finally {
    agent.destroy();
  }
}

export const engineIo: Protocol = { subscribe: eioSubscriber, churn: eioChurn };
