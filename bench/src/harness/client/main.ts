/**
 * The load client process: holds subscribers of one protocol against one target, counts every
 * delivery (missed, duplicated, out of order, latency), and runs connect/abort churn. Driven over
 * IPC by the driver; one process per scenario.
 */
import { cpuMicros, serveIpc } from '../ipc';
import { sleep } from './http';
import type { Protocol, Subscription } from './protocol';
import { cometkitJsonp, cometkitPoll, nodePoll } from './polls';
import { bayeux, engineIo } from './sessions';
import { bareWs, bayeuxWs, cometkitWs, engineIoWs, sockjsWs } from './sockets';
import { cometkitIframe, cometkitSse, cometkitStream, plainSse, sockjsXhrStreaming } from './streams';
import { Tracker } from './tracker';

const protocols: Record<string, Protocol> = {
  'cometkit-poll': cometkitPoll,
  'cometkit-jsonp': cometkitJsonp,
  'cometkit-sse': cometkitSse,
  'cometkit-stream': cometkitStream,
  'cometkit-iframe': cometkitIframe,
  'node-poll': nodePoll,
  sse: plainSse,
  sockjs: sockjsXhrStreaming,
  bayeux,
  'engine-io': engineIo,
  'bare-ws': bareWs,
  'cometkit-ws': cometkitWs,
  'engine-io-ws': engineIoWs,
  'sockjs-ws': sockjsWs,
  'bayeux-ws': bayeuxWs,
};

function protocolNamed(name: string): Protocol {
  const protocol = protocols[name];
  if (!protocol) throw new Error(`unknown protocol ${name}`);
  return protocol;
}

let tracker: Tracker | undefined;
let subscriptions: Subscription[] = [];

serveIpc({
  /** Opens `n` subscribers, `batch` at a time with a short pause so the server's backlog keeps up. */
  /** `ports`: the server processes of the target; subscriber i goes to `ports[i % ports.length]`. */
  /** `cursors[i]`: where the subscribers of `ports[i]` start. */
  async subscribe(args: { protocol: string; ports: number[]; n: number; cursors: string[]; expect: number; latency: boolean }) {
    const protocol = protocolNamed(args.protocol);
    tracker = new Tracker(args.expect, args.n, args.latency);
    const contexts = args.ports.map((port, i) => ({ port, cursor: args.cursors[i]!, tracker: tracker! }));
    for (let i = 0; i < args.n; i++) {
      subscriptions.push(protocol.subscribe(contexts[i % contexts.length]!, tracker.add()));
      if (i % 100 === 99) await sleep(5);
    }
    return args.n;
  },
  cpu: cpuMicros,
  progress: () => ({ delivered: tracker?.delivered ?? 0, errors: tracker?.errors ?? 0 }),
  wait: (args: { timeoutMs: number }) => {
    if (!tracker) throw new Error('no subscribers');
    return tracker.wait(args.timeoutMs);
  },
  close() {
    for (const subscription of subscriptions) subscription.stop();
    subscriptions = [];
    return true;
  },
  /** `cycles` connect/abort cycles, `concurrency` at a time. */
  async churn(args: { protocol: string; port: number; cycles: number; concurrency: number; holdMs: number }) {
    const protocol = protocolNamed(args.protocol);
    let started = 0;
    let errors = 0;
    const t0 = performance.now();
    const worker = async (): Promise<void> => {
      while (started < args.cycles) {
        started++;
        await protocol.churn(args.port, args.holdMs).catch(() => errors++);
      }
    };
    await Promise.all(Array.from({ length: Math.min(args.concurrency, args.cycles) }, worker));
    return { cycles: args.cycles, errors, ms: performance.now() - t0 };
  },
});
