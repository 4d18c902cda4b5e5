/**
 * HTTP plumbing of the load client: raw `http.request` to the target on 127.0.0.1, each
 * connection bound to one of 32 loopback source addresses (127.0.0.2–127.0.0.33) so that tens of
 * thousands of connections, and the TIME_WAIT of churn runs, never run out of ephemeral ports.
 */
import http from 'node:http';
import { now } from '../ipc';

const SOURCES = Array.from({ length: 32 }, (_, i) => `127.0.0.${i + 2}`);
let nextSource = 0;

/** The next source address, round robin. */
export function sourceAddress(): string {
  return SOURCES[nextSource++ % SOURCES.length]!;
}

/**
 * A keep-alive agent for one subscriber, as a browser tab has: long-poll re-polls reuse the same
 * TCP connection. `maxSockets: 2` where a protocol sends while a poll is held (Engine.IO).
 */
export function subscriberAgent(maxSockets = 1): http.Agent {
  return new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets, keepAliveMsecs: 30_000 });
}

/** Where requests go, and through what. */
export interface Endpoint {
  port: number;
  /** `false`: a new connection that closes with the request (churn). */
  agent: http.Agent | false;
  localAddress: string;
}

export interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** A whole response. `arrival` is when its last byte came. */
export interface TextResponse {
  status: number;
  text: string;
  arrival: number;
}

/** Opens a request; the caller handles the response. */
export function open(endpoint: Endpoint, spec: RequestSpec): http.ClientRequest {
  const headers: Record<string, string> = { ...spec.headers };
  if (spec.body !== undefined) headers['content-length'] = String(Buffer.byteLength(spec.body));
  const req = http.request({
    host: '127.0.0.1',
    port: endpoint.port,
    method: spec.method ?? 'GET',
    path: spec.path,
    headers,
    agent: endpoint.agent,
    localAddress: endpoint.localAddress,
  });
  req.end(spec.body);
  return req;
}

/** One request read whole. `onRequest` receives the request so its owner can abort it. */
export function fetchText(
  endpoint: Endpoint,
  spec: RequestSpec,
  onRequest?: (req: http.ClientRequest) => void,
): Promise<TextResponse> {
  return new Promise((resolve, reject) => {
    const req = open(endpoint, spec);
    onRequest?.(req);
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, arrival: now() }));
    });
  });
}

/**
 * A streamed response: `onText` gets every chunk as it arrives (with its arrival time), `onEnd`
 * once when the response ends (error undefined) or breaks.
 */
export function openStream(
  endpoint: Endpoint,
  spec: RequestSpec,
  onText: (text: string, arrival: number) => void,
  onEnd: (error?: Error) => void,
): http.ClientRequest {
  let ended = false;
  const end = (error?: Error): void => {
    if (ended) return;
    ended = true;
    onEnd(error);
  };
  const req = open(endpoint, spec);
  req.on('error', end);
  req.on('response', (res) => {
    if (res.statusCode !== 200) {
      res.resume();
      end(new Error(`status ${res.statusCode}`));
      return;
    }
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => onText(chunk, now()));
    res.on('error', end);
    res.on('aborted', () => end(new Error('aborted')));
    res.on('end', () => end());
  });
  return req;
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
