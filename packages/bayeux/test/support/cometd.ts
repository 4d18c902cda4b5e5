import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';

/** What the driver process reports. */
export interface CometdEvent {
  event: string;
  [field: string]: unknown;
}

/** A real CometD client in a child process (see cometd-driver.mjs), driven by commands. */
export interface CometdClient {
  call<T = Record<string, unknown>>(op: string, args?: Record<string, unknown>): Promise<T>;
  /** Resolves with the first event (already seen or to come) that `match` accepts. */
  next(match: (event: CometdEvent) => boolean): Promise<CometdEvent>;
  /** Every event so far. */
  readonly events: CometdEvent[];
  close(): Promise<void>;
}

/** Starts a CometD client process configured for `url`, and handshakes it. */
export async function startCometd(url: string, options: { ack?: boolean; transport?: 'long-polling' | 'callback-polling' | 'websocket'; maxMessageSize?: number; backoff?: number } = {}): Promise<CometdClient> {
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, [path.join(__dirname, 'cometd-driver.mjs')], {
    cwd: path.join(__dirname, '..', '..'),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const events: CometdEvent[] = [];
  const waiters: { match: (event: CometdEvent) => boolean; resolve: (event: CometdEvent) => void }[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  createInterface({ input: child.stdout }).on('line', (line) => {
    const event = JSON.parse(line) as CometdEvent;
    events.push(event);
    for (const waiter of [...waiters]) {
      if (waiter.match(event)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(event);
      }
    }
  });
  let seq = 0;
  const next = (match: (event: CometdEvent) => boolean): Promise<CometdEvent> => {
    const seen = events.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      waiters.push({ match, resolve });
      void exited.then(() => reject(new Error(`cometd driver exited: ${stderr}`)));
    });
  };
  const client: CometdClient = {
    events,
    next,
    async call<T>(op: string, args: Record<string, unknown> = {}): Promise<T> {
      const id = ++seq;
      child.stdin.write(JSON.stringify({ seq: id, op, ...args }) + '\n');
      const event = await next((e) => e.event === 'result' && e.seq === id);
      if (event.error) throw new Error(String(event.error));
      return event.result as T;
    },
    async close() {
      child.stdin.end();
      child.kill();
      await exited;
    },
  };
  await client.call('configure', { url, ...options });
  return client;
}
