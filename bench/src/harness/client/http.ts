/**
 * HTTP/1.1 of the load client, on raw TCP sockets: a request is one pre-built string, a response
 * is parsed just enough (status, Content-Length or chunked, the body as text). Node's
 * `http.request` costs several times more CPU per request, and the client shares a 2-core machine
 * with the server it measures; this keeps the client's share small.
 *
 * Each socket binds one of 32 loopback source addresses (127.0.0.2–127.0.0.33) so that tens of
 * thousands of connections, and the TIME_WAIT of churn runs, never run out of ephemeral ports.
 * Bodies are read as latin1 (one char per byte, so chunk sizes count chars); payloads are ASCII.
 */
import net from 'node:net';
import { now } from '../ipc';

const SOURCES = Array.from({ length: 32 }, (_, i) => `127.0.0.${i + 2}`);
let nextSource = 0;

/** The next source address, round robin. */
export function sourceAddress(): string {
  return SOURCES[nextSource++ % SOURCES.length]!;
}

export interface RequestSpec {
  method?: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What a response tells its reader, in order: `head` once, `body` per piece, `end` once. */
export interface ResponseHandler {
  head?(status: number): void;
  body(text: string, arrival: number): void;
  /** The response is complete (no error), or broke. */
  end(error?: Error): void;
}

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailer' | 'close';

/**
 * One keep-alive TCP connection that carries one request at a time (as a browser connection
 * does). It connects on first use and again after the server closed it between requests.
 */
export class Endpoint {
  private socket: net.Socket | undefined;
  private handler: ResponseHandler | undefined;
  private state: State = 'head';
  private buffer = '';
  private remaining = 0;
  private destroyed = false;
  readonly localAddress = sourceAddress();

  constructor(readonly port: number) {}

  /** Sends a request; `onSent` runs once its bytes are handed to the kernel. */
  request(spec: RequestSpec, handler: ResponseHandler, onSent?: () => void): void {
    if (this.destroyed) return handler.end(new Error('endpoint destroyed'));
    if (this.handler) throw new Error('bench client: a request is already in flight on this connection');
    this.handler = handler;
    this.state = 'head';
    this.buffer = '';
    const socket = this.socket ?? this.connect();
    let head = `${spec.method ?? 'GET'} ${spec.path} HTTP/1.1\r\nhost: 127.0.0.1:${this.port}\r\n`;
    for (const [name, value] of Object.entries(spec.headers ?? {})) head += `${name}: ${value}\r\n`;
    if (spec.body !== undefined) head += `content-length: ${Buffer.byteLength(spec.body)}\r\n`;
    socket.write(`${head}\r\n${spec.body ?? ''}`, onSent && (() => onSent()));
  }

  /** Closes the connection; a request in flight ends with an error, and no new one is sent. */
  destroy(): void {
    this.destroyed = true;
    this.socket?.destroy();
    this.socket = undefined;
    this.finish(new Error('destroyed'));
  }

  private connect(): net.Socket {
    const socket = net.connect({ port: this.port, host: '127.0.0.1', localAddress: this.localAddress });
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (text: string) => this.read(text, now()));
    socket.on('error', () => {}); // 'close' follows and ends the response
    socket.on('close', () => {
      if (this.socket === socket) this.socket = undefined;
      this.finish(this.state === 'close' ? undefined : new Error('connection closed'));
    });
    this.socket = socket;
    return socket;
  }

  private finish(error?: Error): void {
    const handler = this.handler;
    this.handler = undefined;
    this.state = 'head';
    this.buffer = '';
    handler?.end(error);
  }

  private read(text: string, arrival: number): void {
    let data = this.buffer + text;
    this.buffer = '';
    while (this.handler && data.length > 0) {
      const handler = this.handler;
      switch (this.state) {
        case 'head': {
          const end = data.indexOf('\r\n\r\n');
          if (end < 0) {
            this.buffer = data;
            return;
          }
          const head = data.slice(0, end).toLowerCase();
          data = data.slice(end + 4);
          handler.head?.(Number(head.slice(9, 12)));
          const length = /\r\ncontent-length: *(\d+)/.exec(head);
          if (/\r\ntransfer-encoding: *chunked/.test(head)) this.state = 'chunk-size';
          else if (length) {
            this.remaining = Number(length[1]);
            this.state = 'length';
            if (this.remaining === 0) this.finish();
          } else this.state = 'close';
          break;
        }
        case 'length':
        case 'chunk-data': {
          const piece = data.length <= this.remaining ? data : data.slice(0, this.remaining);
          data = data.slice(piece.length);
          this.remaining -= piece.length;
          handler.body(piece, arrival);
          if (this.remaining === 0) {
            if (this.state === 'length') this.finish();
            else this.state = 'chunk-end';
          }
          break;
        }
        case 'chunk-end':
        case 'chunk-size':
        case 'trailer': {
          const eol = data.indexOf('\r\n');
          if (eol < 0) {
            this.buffer = data;
            return;
          }
          const line = data.slice(0, eol);
          data = data.slice(eol + 2);
          if (this.state === 'chunk-end') this.state = 'chunk-size';
          else if (this.state === 'trailer') {
            if (line === '') this.finish();
          } else {
            this.remaining = parseInt(line, 16);
            this.state = this.remaining === 0 ? 'trailer' : 'chunk-data';
          }
          break;
        }
        case 'close':
          handler.body(data, arrival);
          data = '';
          break;
      }
    }
  }
}

/** A whole response. `arrival` is when its last byte came. */
export interface TextResponse {
  status: number;
  text: string;
  arrival: number;
}

/** One request, read whole. */
export function fetchText(endpoint: Endpoint, spec: RequestSpec): Promise<TextResponse> {
  return new Promise((resolve, reject) => {
    let status = 0;
    let text = '';
    let arrival = 0;
    endpoint.request(spec, {
      head: (code) => (status = code),
      body(piece, at) {
        text += piece;
        arrival = at;
      },
      end: (error) => (error ? reject(error) : resolve({ status, text, arrival: arrival || now() })),
    });
  });
}

/** Resolves after `ms`. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
