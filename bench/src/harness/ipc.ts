/**
 * The control channel between the driver and its children (target servers and load clients):
 * request/reply messages over Node's IPC, matched by id.
 */

/** A request from the driver. */
export interface IpcRequest {
  id: number;
  cmd: string;
  args?: unknown;
}

/** A child's answer to one request. */
export interface IpcReply {
  id: number;
  ok: boolean;
  value?: unknown;
  error?: string;
}

/** Sent once by a child when it can take requests (`port` for servers). */
export interface IpcReady {
  ready: true;
  port?: number;
}

/** One wall clock shared by every process of a run: ms since the Unix epoch, sub-ms resolution. */
export function now(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Serves the driver's requests in a child process. Handlers may be async; a throw becomes an
 * error reply. The child exits when the driver goes away (the IPC channel closes).
 */
export function serveIpc(handlers: Record<string, (args: any) => unknown>, ready: Omit<IpcReady, 'ready'> = {}): void {
  if (!process.send) throw new Error('bench: this file runs as a child of the driver (no IPC channel)');
  process.on('message', (message: IpcRequest) => {
    const handler = handlers[message.cmd];
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`unknown command ${message.cmd}`);
        return handler(message.args);
      })
      .then(
        (value) => process.send!({ id: message.id, ok: true, value } satisfies IpcReply),
        (error: unknown) => process.send!({ id: message.id, ok: false, error: String((error as Error)?.stack ?? error) } satisfies IpcReply),
      );
  });
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
  process.send({ ready: true, ...ready } satisfies IpcReady);
}

/** CPU time this process has used, µs (user + system). */
export function cpuMicros(): number {
  const cpu = process.cpuUsage();
  return cpu.user + cpu.system;
}

/** Memory and handles of this process after a full garbage collection (run with --expose-gc). */
export interface MemoryReport {
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Open TCP sockets and servers (libuv handles). */
  tcpHandles: number;
  /** Every active libuv resource (sockets, timers, …). */
  resources: number;
  /** CPU time used so far, µs (user + system). */
  cpuMicros: number;
}

export async function memoryReport(): Promise<MemoryReport> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('bench: run with --expose-gc');
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const memory = process.memoryUsage();
  const resources = process.getActiveResourcesInfo();
  return {
    rss: memory.rss,
    heapUsed: memory.heapUsed,
    heapTotal: memory.heapTotal,
    external: memory.external,
    arrayBuffers: memory.arrayBuffers,
    tcpHandles: resources.filter((r) => r === 'TCPSocketWrap' || r === 'TCPServerWrap').length,
    resources: resources.length,
    cpuMicros: cpuMicros(),
  };
}
