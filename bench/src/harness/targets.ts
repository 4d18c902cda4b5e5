/**
 * Every server the benchmark measures, and the wire protocol its load client speaks. Each target
 * is compared with the bare `node:http` baseline of its family: streams with bare SSE, polls with
 * bare long-poll, sockets with a bare `ws` server.
 */

export type Family = 'stream' | 'poll' | 'socket';
export type Kind = 'baseline' | 'reference' | 'cometkit' | 'peer' | 'diagnostic';

export interface TargetSpec {
  /** Row label. */
  name: string;
  kind: Kind;
  family: Family;
  /** Server file under src/harness/servers/, and its arguments. */
  server: string;
  args?: string[];
  /** Load-client protocol (see src/harness/client/main.ts). */
  protocol: string;
  /** For cometkit: the transport's route under the mount, to check the built core serves it. */
  transport?: string;
  /**
   * A Redis target: this many server processes share one log in one redis-server (started and
   * stopped by PID by the driver); subscribers are spread over them, the HTTP publisher posts to
   * the first (one publisher connection to one process keeps the messages in publish order).
   */
  redis?: { processes: number };
  /**
   * A Redis target's control: this many server processes, each with its own memory broker; the
   * HTTP publisher posts every message to each of them (one connection per process), so each
   * subscriber still gets every message once. What the same process layout costs on the same
   * cores without Redis: against it, a Redis target's latency is the broker's own cost. (Each copy
   * also answers a publish request per message, where a Redis target's second process reads the
   * message from Redis: tens of µs per message more for the control, against a fan-out to 1,000
   * sockets that takes milliseconds; if anything, the difference understates Redis's cost.)
   */
  copies?: number;
  /** The only scenarios this target runs (default: all). */
  scenarios?: readonly ('s1' | 's2' | 's3' | 's4')[];
}

/** Server processes of a Redis target. */
export const REDIS_PROCESSES = 2;

export const BASELINES: Record<Family, string> = { stream: 'node:http SSE', poll: 'node:http long-poll', socket: 'bare ws' };
/** The same bare handlers as routes of an Express app: what Express itself costs, apart from cometkit. */
export const IN_EXPRESS: Record<Family, string> = { stream: 'node:http SSE in Express', poll: 'node:http long-poll in Express', socket: 'bare ws in Express' };

/** cometkit transports, by route: how the load client speaks each, and its family. */
export const COMETKIT_TRANSPORTS: { transport: string; protocol: string; family: Family }[] = [
  { transport: 'poll', protocol: 'cometkit-poll', family: 'poll' },
  { transport: 'jsonp', protocol: 'cometkit-jsonp', family: 'poll' },
  { transport: 'sse', protocol: 'cometkit-sse', family: 'stream' },
  { transport: 'stream', protocol: 'cometkit-stream', family: 'stream' },
  { transport: 'iframe', protocol: 'cometkit-iframe', family: 'stream' },
];

export function allTargets(): TargetSpec[] {
  const targets: TargetSpec[] = [
    { name: BASELINES.stream, kind: 'baseline', family: 'stream', server: 'servers/node-sse.ts', protocol: 'sse' },
    { name: BASELINES.poll, kind: 'baseline', family: 'poll', server: 'servers/node-poll.ts', protocol: 'node-poll' },
    { name: IN_EXPRESS.stream, kind: 'reference', family: 'stream', server: 'servers/node-sse.ts', args: ['express'], protocol: 'sse' },
    { name: IN_EXPRESS.poll, kind: 'reference', family: 'poll', server: 'servers/node-poll.ts', args: ['express'], protocol: 'node-poll' },
    // What Koa itself costs a long-poll (no target: Koa's rows are judged against bare node:http).
    { name: 'node:http long-poll in Koa', kind: 'reference', family: 'poll', server: 'servers/node-poll.ts', args: ['koa'], protocol: 'node-poll', scenarios: ['s2', 's3'] },
  ];
  for (const framework of ['express', 'koa']) {
    for (const { transport, protocol, family } of COMETKIT_TRANSPORTS) {
      targets.push({
        name: `cometkit ${framework} ${transport}`,
        kind: 'cometkit',
        family,
        server: 'servers/cometkit.ts',
        args: [framework],
        protocol,
        transport,
      });
    }
  }
  // The fast path for each family's main transport, and JSONP (the long-poll of cross-origin pages,
  // held to the same targets as poll): `withComet` in front of a plain node:http app (whose publish
  // route is a branch of that app, as the bare baseline's is), and in front of an Express app
  // (whose publish route is an Express route: judged also against the bare handler in Express).
  for (const { transport, protocol, family } of COMETKIT_TRANSPORTS.filter((t) => ['poll', 'jsonp', 'sse'].includes(t.transport))) {
    for (const [mount, framework] of [['withComet', 'node-fast'], ['express+withComet', 'express-fast']] as const) {
      targets.push({ name: `cometkit ${mount} ${transport}`, kind: 'cometkit', family, server: 'servers/cometkit.ts', args: [framework], protocol, transport });
    }
  }
  // The Redis broker (issue 12): two processes on one Redis, next to the memory-broker targets
  // above; latency and throughput only (memory and churn are the memory targets' business). The
  // same on one process: against its memory twin, the broker's own cost, apart from what a second
  // server process on the same cores costs.
  for (const processes of [REDIS_PROCESSES, 1]) {
    for (const { transport, protocol, family } of COMETKIT_TRANSPORTS.filter((t) => t.transport === 'poll' || t.transport === 'sse')) {
      targets.push({
        name: `cometkit express ${transport} (redis, ${processes} ${processes === 1 ? 'process' : 'processes'})`,
        kind: 'cometkit',
        family,
        server: 'servers/cometkit.ts',
        args: ['express'],
        protocol,
        transport,
        redis: { processes },
        scenarios: ['s2', 's3'],
      });
    }
  }
  for (const { transport, protocol, family } of COMETKIT_TRANSPORTS.filter((t) => t.transport === 'poll' || t.transport === 'sse')) {
    targets.push({
      name: `cometkit express ${transport} (memory, ${REDIS_PROCESSES} processes)`,
      kind: 'reference',
      family,
      server: 'servers/cometkit.ts',
      args: ['express'],
      protocol,
      transport,
      copies: REDIS_PROCESSES,
      scenarios: ['s2', 's3'],
    });
  }
  // WebSocket (issue 13): cometkit's own socket on the Express mount and behind withComet, against
  // a bare ws server and the two peers restricted to their WebSocket transport.
  // `--targets ws,websocket` runs just these.
  targets.push(
    { name: BASELINES.socket, kind: 'baseline', family: 'socket', server: 'servers/bare-ws.ts', protocol: 'bare-ws' },
    { name: IN_EXPRESS.socket, kind: 'reference', family: 'socket', server: 'servers/bare-ws.ts', args: ['express'], protocol: 'bare-ws' },
    { name: 'cometkit express ws', kind: 'cometkit', family: 'socket', server: 'servers/cometkit.ts', args: ['express'], protocol: 'cometkit-ws' },
    { name: 'cometkit withComet ws', kind: 'cometkit', family: 'socket', server: 'servers/cometkit.ts', args: ['node-fast'], protocol: 'cometkit-ws' },
    { name: 'cometkit express+withComet ws', kind: 'cometkit', family: 'socket', server: 'servers/cometkit.ts', args: ['express-fast'], protocol: 'cometkit-ws' },
    { name: 'cometkit bayeux websocket', kind: 'cometkit', family: 'socket', server: 'servers/cometkit-bayeux.ts', protocol: 'bayeux-ws' },
    { name: 'Socket.IO websocket', kind: 'peer', family: 'socket', server: 'servers/socketio.ts', args: ['websocket'], protocol: 'engine-io-ws' },
    { name: 'SockJS websocket', kind: 'peer', family: 'socket', server: 'servers/sockjs.ts', protocol: 'sockjs-ws' },
  );
  targets.push(
    { name: 'better-sse', kind: 'peer', family: 'stream', server: 'servers/better-sse.ts', protocol: 'sse' },
    { name: 'SockJS xhr-streaming', kind: 'peer', family: 'stream', server: 'servers/sockjs.ts', protocol: 'sockjs' },
    { name: 'cometkit bayeux long-polling', kind: 'cometkit', family: 'poll', server: 'servers/cometkit-bayeux.ts', protocol: 'bayeux' },
    // The same endpoint behind `withComet`, on bare node:http as Faye's adapter is: in front of a
    // plain node:http app (its publish route bare, as Faye's is) and in front of the Express app.
    { name: 'cometkit withComet bayeux long-polling', kind: 'cometkit', family: 'poll', server: 'servers/cometkit-bayeux.ts', args: ['node-fast'], protocol: 'bayeux' },
    { name: 'cometkit express+withComet bayeux long-polling', kind: 'cometkit', family: 'poll', server: 'servers/cometkit-bayeux.ts', args: ['express-fast'], protocol: 'bayeux' },
    { name: 'Faye long-polling', kind: 'peer', family: 'poll', server: 'servers/faye.ts', protocol: 'bayeux' },
    { name: 'Socket.IO polling', kind: 'peer', family: 'poll', server: 'servers/socketio.ts', protocol: 'engine-io' },
  );
  // Diagnostics, run only when named (`--targets diag`): they split cometkit's cost into the
  // framework's share and the core's (hub, transport, Node bridge).
  targets.push(
    { name: 'diag: cometkit handleNode sse', kind: 'diagnostic', family: 'stream', server: 'servers/cometkit.ts', args: ['node'], protocol: 'cometkit-sse', transport: 'sse' },
    { name: "diag: bare ws, cometkit's wire", kind: 'diagnostic', family: 'socket', server: 'servers/bare-ws.ts', args: ['wire'], protocol: 'bare-ws' },
    { name: "diag: node:http long-poll, cometkit's wire", kind: 'diagnostic', family: 'poll', server: 'servers/node-poll.ts', args: ['wire'], protocol: 'node-poll' },
    { name: 'diag: cometkit handleNode poll', kind: 'diagnostic', family: 'poll', server: 'servers/cometkit.ts', args: ['node'], protocol: 'cometkit-poll', transport: 'poll' },
  );
  return targets;
}

/**
 * The long-poll rows of issue 10's table and the SSE rows served by an earlier build (`dir`: a
 * checkout with its packages built), for a before/after comparison in one run. References: judged
 * by no target.
 */
export function beforeTargets(dir: string): TargetSpec[] {
  const rows: [string, string, string, string, Family][] = [
    ['express', 'poll', 'cometkit-poll', 'express', 'poll'],
    ['express', 'jsonp', 'cometkit-jsonp', 'express', 'poll'],
    ['koa', 'poll', 'cometkit-poll', 'koa', 'poll'],
    ['express+withComet', 'poll', 'cometkit-poll', 'express-fast', 'poll'],
    ['express', 'sse', 'cometkit-sse', 'express', 'stream'],
    ['express+withComet', 'sse', 'cometkit-sse', 'express-fast', 'stream'],
  ];
  return rows.map(([mount, transport, protocol, framework, family]) => ({
    name: `cometkit ${mount} ${transport} (before)`,
    kind: 'reference',
    family,
    server: 'servers/cometkit.ts',
    args: [framework, `--from=${dir}`],
    protocol,
    transport,
    scenarios: ['s2', 's3'],
  }));
}
