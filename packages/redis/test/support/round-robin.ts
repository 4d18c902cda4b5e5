import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A plain round-robin balancer on 127.0.0.1: each request goes to the next backend, whatever its connection. */
export interface RoundRobin {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** Requests forwarded to each backend, in the order of `backends`. */
  readonly served: number[];
  close(): Promise<void>;
}

/** Starts a balancer in front of `backends` (origins such as `http://127.0.0.1:3001`). */
export function startRoundRobin(backends: readonly string[]): Promise<RoundRobin> {
  const served = backends.map(() => 0);
  let next = 0;
  // No keep-alive to the backends: a pooled socket would tie requests to a process.
  const agent = new http.Agent({ keepAlive: false });
  const server = http.createServer((req, res) => {
    const k = next++ % backends.length;
    served[k]!++;
    const upstream = http.request(new URL(req.url ?? '/', backends[k]), { method: req.method, headers: req.headers, agent }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    // A backend or client going away ends the other side too.
    upstream.on('error', () => res.destroy());
    res.on('close', () => upstream.destroy());
    req.pipe(upstream);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        served,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
            agent.destroy();
          }),
      });
    });
  });
}
