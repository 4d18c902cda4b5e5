import http from 'node:http';
import zlib from 'node:zlib';
import type { Frame, Parser } from './frame-parsers';

/** One HTTP response being read from a real socket, parsed as it arrives. */
export interface Connection {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Every byte of the body so far, decoded. */
  raw(): string;
  frames: Frame[];
  /** Resolves when the server ends the response. */
  ended: Promise<void>;
  isEnded(): boolean;
  /**
   * Resolves once `condition(frames)` holds; rejects when the response ends first, or after
   * `timeoutMs` (default 10 s: a bound for a loaded machine, not a wait).
   */
  waitFor(condition: (frames: Frame[]) => boolean, timeoutMs?: number, what?: string): Promise<void>;
  /** The cursor to resume from: the newest one any frame carried. */
  cursor(): string | undefined;
  /** Aborts the request (the client goes away). */
  close(): void;
  /** Stops reading from the socket (a stalled client): the server's buffers fill. */
  pause(): void;
  /** Reads again after {@link pause}. */
  resume(): void;
}

/** Options of a connection. */
export interface ConnectOptions {
  headers?: Record<string, string>;
  /** Extra query text (`padding=1`). */
  extra?: string;
}

/** Opens `url` with a plain HTTP GET on its own socket and parses its body with `parser` as it arrives. */
export function openResponse(url: string, parser: Parser, options: ConnectOptions = {}): Promise<Connection> {
  return new Promise((resolve, reject) => {
    const controller = new AbortController();
    const req = http.request(url, { agent: false, headers: options.headers, signal: controller.signal });
    req.on('error', (error) => (error.name === 'AbortError' ? undefined : reject(error)));
    req.on('response', (res) => {
      const frames: Frame[] = [];
      let raw = '';
      let rest = '';
      let ended = false;
      const waiters = new Set<() => void>();
      const notify = (): void => waiters.forEach((w) => w());
      const body = res.headers['content-encoding'] === 'gzip' ? res.pipe(zlib.createGunzip()) : res;
      body.setEncoding('utf8');
      const take = (chunk: string, final: boolean): void => {
        raw += chunk;
        const parsed = parser(rest + chunk, final);
        rest = parsed.rest;
        frames.push(...parsed.frames);
      };
      const endedPromise = new Promise<void>((done) => {
        const finish = (): void => {
          if (ended) return;
          if (res.statusCode === 200 || res.headers['content-type']?.includes('javascript')) take('', true);
          ended = true;
          notify();
          done();
        };
        body.on('end', finish);
        body.on('error', finish);
        // A decompressed body ends after the socket closes; only an aborted one needs the close.
        res.on('close', () => (body === res || !res.complete ? finish() : undefined));
      });
      body.on('data', (chunk: string) => {
        take(chunk, false);
        notify();
      });
      resolve({
        status: res.statusCode ?? 0,
        headers: res.headers,
        raw: () => raw,
        frames,
        ended: endedPromise,
        isEnded: () => ended,
        cursor: () => [...frames].reverse().find((f) => f.cursor)?.cursor,
        close: () => controller.abort(),
        pause: () => {
          body.pause();
          res.pause();
        },
        resume: () => {
          res.resume();
          body.resume();
        },
        waitFor: (condition, timeoutMs, what) => waitForFrames(frames, waiters, () => ended, condition, timeoutMs, what),
      });
    });
    req.end();
  });
}

/**
 * {@link Connection.waitFor} over a connection's `frames`: checked now and at each notification
 * (every waiter in `waiters` is called when frames arrive or the connection ends).
 */
export function waitForFrames(
  frames: Frame[],
  waiters: Set<() => void>,
  isEnded: () => boolean,
  condition: (frames: Frame[]) => boolean,
  timeoutMs = 10_000,
  what = 'frames',
): Promise<void> {
  return new Promise((done, fail) => {
    const check = (): void => {
      if (condition(frames)) {
        cleanup();
        done();
      } else if (isEnded()) {
        cleanup();
        fail(new Error(`response ended before ${what}: ${JSON.stringify(frames).slice(0, 500)}`));
      }
    };
    const timer = setTimeout(() => {
      cleanup();
      fail(new Error(`timed out waiting for ${what}; got ${JSON.stringify(frames).slice(0, 500)}`));
    }, timeoutMs);
    const cleanup = (): void => {
      clearTimeout(timer);
      waiters.delete(check);
    };
    waiters.add(check);
    check();
  });
}

