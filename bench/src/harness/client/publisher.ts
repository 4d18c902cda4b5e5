/**
 * The HTTP publisher process: publishes as an app's clients make it publish, with `POST
 * /bench/publish` requests over ONE keep-alive connection per server process it posts to,
 * pipelined (each written without waiting for the previous answer). Each message carries the time its request was written (`t`), so
 * latency is measured from where an app's publish starts, through the server's HTTP handling and
 * the library's publish, to the subscriber's socket.
 */
import net from 'node:net';
import { cpuMicros, now, serveIpc } from '../ipc';
import { paceRun, type PublishRun } from '../publish-run';
import { PUBLISH_PATH } from '../servers/target-server';

/** Counts the answers of pipelined requests (status and Content-Length are all we need). */
class AnswerCounter {
  answered = 0;
  failed = 0;
  private buffer = '';
  private skip = 0;
  private waiters: (() => void)[] = [];

  read(text: string): void {
    let data = this.buffer + text;
    this.buffer = '';
    for (;;) {
      if (this.skip > 0) {
        const taken = Math.min(this.skip, data.length);
        this.skip -= taken;
        data = data.slice(taken);
        if (this.skip > 0) return;
      }
      const end = data.indexOf('\r\n\r\n');
      if (end < 0) {
        this.buffer = data;
        return;
      }
      const head = data.slice(0, end).toLowerCase();
      data = data.slice(end + 4);
      this.skip = Number(/\r\ncontent-length: *(\d+)/.exec(head)?.[1] ?? 0);
      if (head.startsWith('http/1.1 200')) this.answered++;
      else this.failed++;
      for (const waiter of this.waiters.splice(0)) waiter();
    }
  }

  /** Resolves once `count` answers came (or the time is up). */
  async until(count: number, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.answered + this.failed < count && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }
}

/** One keep-alive connection to one server process, and the answers it got. */
async function connectTo(port: number): Promise<{ socket: net.Socket; counter: AnswerCounter; head: string }> {
  const socket = net.connect({ port, host: '127.0.0.1' });
  socket.setNoDelay(true);
  socket.setEncoding('latin1');
  const counter = new AnswerCounter();
  socket.on('data', (text: string) => counter.read(text));
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  return { socket, counter, head: `POST ${PUBLISH_PATH} HTTP/1.1\r\nhost: 127.0.0.1:${port}\r\ncontent-type: application/json\r\n` };
}

serveIpc({
  cpu: cpuMicros,
  /**
   * One publish run; resolves once every request was answered. `ports`: one connection to each
   * (a Redis target's first process; every copy of a memory-broker control), each message posted
   * on every one of them, stamped when its request is written.
   */
  async publish(args: PublishRun & { ports: number[] }) {
    const opening = args.ports.map(connectTo);
    const connections = await Promise.all(opening).catch(async (error: unknown) => {
      for (const settled of await Promise.allSettled(opening)) if (settled.status === 'fulfilled') settled.value.socket.destroy();
      throw error;
    });
    const send = (seq: number): void => {
      for (const { socket, head } of connections) {
        const body = `{"seq":${seq},"t":${now()}}`;
        socket.write(`${head}content-length: ${body.length}\r\n\r\n${body}`);
      }
    };
    const { started, finished } = await paceRun(args, send);
    let errors = 0;
    for (const { socket, counter } of connections) {
      await counter.until(args.count, 60_000);
      socket.destroy();
      errors += counter.failed + (args.count - counter.answered - counter.failed);
    }
    return { started, finished, errors };
  },
});
