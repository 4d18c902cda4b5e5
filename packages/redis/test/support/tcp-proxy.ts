import net from 'node:net';

/** A TCP proxy on 127.0.0.1 in front of one port, that can cut, delay or hold what passes. */
export interface TcpProxy {
  readonly port: number;
  /** Destroys every connection through it (both sides), as a network failure would. */
  cut(): void;
  /** Delays every chunk, both ways, by `ms` (order kept); 0 passes them at once again. */
  delay(ms: number): void;
  /** While held, bytes are kept back, both ways (a stalled link); released in order when let go. */
  hold(on: boolean): void;
  /**
   * While set, what Redis sends back is kept back on the connections whose client has sent
   * `text` (e.g. its `CLIENT SETNAME`), and only there; released in order when set to undefined.
   */
  holdRepliesTo(text: string | undefined): void;
  /** Connections accepted so far. */
  readonly accepted: number;
  close(): Promise<void>;
}

/** Starts a proxy to `127.0.0.1:targetPort`. */
export function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const releases = new Set<() => void>();
  let delayMs = 0;
  let held = false;
  let heldReplies: string | undefined;
  let accepted = 0;

  /** Forwards `from` to `to` through the delay and hold, keeping the order of chunks. */
  function pipe(from: net.Socket, to: net.Socket, holds: () => boolean = () => held): void {
    let last = Promise.resolve();
    from.on('data', (chunk: Buffer) => {
      const wait = delayMs;
      last = last.then(async () => {
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (holds()) await new Promise<void>((resolve) => releases.add(resolve));
        if (!to.destroyed) to.write(chunk);
      });
    });
    from.on('close', () => void last.then(() => to.destroy()));
  }

  const server = net.createServer((client) => {
    accepted++;
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('error', () => undefined);
      socket.on('close', () => sockets.delete(socket));
    }
    let sent = '';
    client.on('data', (chunk: Buffer) => void (sent.length < 4_096 && (sent += chunk.toString('latin1'))));
    pipe(client, upstream);
    pipe(upstream, client, () => held || (heldReplies !== undefined && sent.includes(heldReplies)));
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      resolve({
        port: (server.address() as net.AddressInfo).port,
        cut: () => sockets.forEach((s) => s.destroy()),
        delay: (ms) => (delayMs = ms),
        hold(on) {
          held = on;
          if (!on) {
            releases.forEach((release) => release());
            releases.clear();
          }
        },
        holdRepliesTo(text) {
          heldReplies = text;
          if (text === undefined && !held) {
            releases.forEach((release) => release());
            releases.clear();
          }
        },
        get accepted() {
          return accepted;
        },
        close: () =>
          new Promise<void>((done) => {
            sockets.forEach((s) => s.destroy());
            releases.forEach((release) => release());
            server.close(() => done());
          }),
      });
    });
  });
}
