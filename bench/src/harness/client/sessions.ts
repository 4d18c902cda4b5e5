/**
 * Long-poll protocols with server-side sessions and no cursor: Bayeux (Faye) and Engine.IO v4
 * polling (Socket.IO). The server queues messages per session between two polls.
 */
import { Endpoint, fetchText, sleep, type TextResponse } from './http';
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
function sessionLoop(context: ProtocolContext, session: (connection: Connection) => Promise<void>): Subscription {
  const connection = new Connection(context.port);
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

function bayeuxPost(endpoint: Endpoint, messages: object[]): Promise<TextResponse> {
  const body = JSON.stringify(messages.map((message) => ({ ...message, id: String(++bayeuxIds) })));
  return fetchText(endpoint, { method: 'POST', path: '/faye', headers: { 'content-type': 'application/json' }, body });
}

async function bayeuxHandshake(endpoint: Endpoint): Promise<string> {
  const res = await bayeuxPost(endpoint, [{ channel: '/meta/handshake', version: '1.0', supportedConnectionTypes: ['long-polling'] }]);
  const [reply] = JSON.parse(res.text) as BayeuxMessage[];
  if (!reply?.successful || !reply.clientId) throw new Error(`bayeux handshake failed: ${res.text}`);
  return reply.clientId;
}

const connectMessage = (clientId: string): object => ({ channel: '/meta/connect', clientId, connectionType: 'long-polling' });

function bayeuxSubscriber(context: ProtocolContext, sub: SubState): Subscription {
  return sessionLoop(context, async (connection) => {
    const { endpoint } = connection;
    const clientId = await bayeuxHandshake(endpoint);
    await bayeuxPost(endpoint, [{ channel: '/meta/subscribe', clientId, subscription: '/bench/feed' }]);
    for (let session = true; session && !connection.stopped; ) {
      const res = await bayeuxPost(endpoint, [connectMessage(clientId)]);
      context.tracker.responses++;
      for (const message of JSON.parse(res.text) as BayeuxMessage[]) {
        if (message.channel === '/bench/feed' && message.data) context.tracker.record(sub, message.data.seq, message.data.t, res.arrival);
        if (message.channel === '/meta/connect' && !message.successful) session = false;
      }
    }
  });
}

/** Bayeux churn: a handshake, then a held `/meta/connect` dropped after `holdMs`. */
async function bayeuxChurn(port: number, holdMs: number): Promise<void> {
  const endpoint = new Endpoint(port);
  try {
    const clientId = await bayeuxHandshake(endpoint);
    const held = bayeuxPost(endpoint, [connectMessage(clientId)]);
    held.catch(() => {});
    await sleep(holdMs);
  } finally {
    endpoint.destroy();
  }
}

export const bayeux: Protocol = { subscribe: bayeuxSubscriber, churn: bayeuxChurn };

// --- Engine.IO v4 polling (Socket.IO at /socket.io/) ---------------------------------------------------

const EIO = '/socket.io/?EIO=4&transport=polling';
const SEPARATOR = '\x1e';

/** Opens an Engine.IO session and joins the default Socket.IO namespace; returns the sid. */
async function eioOpen(endpoint: Endpoint): Promise<string> {
  const open = await fetchText(endpoint, { path: EIO });
  if (open.status !== 200 || !open.text.startsWith('0')) throw new Error(`engine.io open failed: ${open.text}`);
  const { sid } = JSON.parse(open.text.split(SEPARATOR)[0]!.slice(1)) as { sid: string };
  const join = await fetchText(endpoint, { method: 'POST', path: `${EIO}&sid=${sid}`, body: '40', headers: { 'content-type': 'text/plain' } });
  if (join.text !== 'ok') throw new Error(`socket.io connect failed: ${join.text}`);
  return sid;
}

function eioSubscriber(context: ProtocolContext, sub: SubState): Subscription {
  // Two connections, as a browser uses: the held GET, and the POST of a pong.
  let pongs: Endpoint | undefined;
  return sessionLoop(context, async (connection) => {
    const { endpoint } = connection;
    pongs ??= connection.another();
    const sid = await eioOpen(endpoint);
    const path = `${EIO}&sid=${sid}`;
    for (let open = true; open && !connection.stopped; ) {
      const res = await fetchText(endpoint, { path });
      if (res.status !== 200) break;
      context.tracker.responses++;
      for (const packet of res.text.split(SEPARATOR)) {
        if (packet.startsWith('42')) context.tracker.scan(sub, packet, res.arrival);
        else if (packet === '2') {
          const pong = { method: 'POST', path, body: '3', headers: { 'content-type': 'text/plain' } };
          fetchText(pongs, pong).catch(() => {});
        } else if (packet === '1' || packet.startsWith('44')) open = false;
      }
    }
  });
}

/** Engine.IO churn: open a session, join, take the connect ack, hold a poll for `holdMs`, drop it. */
async function eioChurn(port: number, holdMs: number): Promise<void> {
  const endpoint = new Endpoint(port);
  try {
    const sid = await eioOpen(endpoint);
    await fetchText(endpoint, { path: `${EIO}&sid=${sid}` }); // `40{"sid":…}`: the namespace ack
    fetchText(endpoint, { path: `${EIO}&sid=${sid}` }).catch(() => {});
    await sleep(holdMs);
  } finally {
    endpoint.destroy();
  }
}

export const engineIo: Protocol = { subscribe: eioSubscriber, churn: eioChurn };
