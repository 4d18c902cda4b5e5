import net from 'node:net';
import type { CometHub } from '@cometkit/core';
import { request, type RunningServer } from '@cometkit/core/testing';

/** How normal clients fared while slow connections held the server. */
export interface SlowlorisFigures {
  slowConnections: number;
  normalRequests: number;
  served: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/**
 * Opens `slow` connections that send their headers (half of them) or their publish body (the other
 * half) one byte at a time, while normal clients make `normal` polls that answer at once; measures
 * the normal clients' latency. Every slow socket and timer is stopped before it returns.
 */
export async function slowloris(options: { hub: CometHub; server: RunningServer; slow: number; normal: number }): Promise<SlowlorisFigures> {
  const { hub, server, slow, normal } = options;
  const port = Number(new URL(server.origin).port);
  const mountPath = new URL(server.mount).pathname;
  const sockets: net.Socket[] = [];
  const pending: { socket: net.Socket; rest: string }[] = [];
  for (let i = 0; i < slow; i++) {
    const socket = net.connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    sockets.push(socket);
    const body = JSON.stringify({ channel: 'slowloris', data: 'x'.repeat(200) });
    const text =
      i % 2 === 0
        ? `GET ${mountPath}/poll?channel=slowloris HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ${'a'.repeat(400)}\r\n\r\n`
        : `POST ${mountPath}/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    // Bodies: headers at once, then the body byte by byte. Headers: byte by byte from the start.
    const sendAtOnce = i % 2 === 0 ? 1 : text.length - body.length;
    socket.once('connect', () => socket.write(text.slice(0, sendAtOnce)));
    pending.push({ socket, rest: text.slice(sendAtOnce, -1) }); // never the last byte
  }
  const trickle = setInterval(() => {
    for (const entry of pending) {
      if (entry.rest.length === 0 || entry.socket.destroyed || entry.socket.connecting) continue;
      entry.socket.write(entry.rest[0]!);
      entry.rest = entry.rest.slice(1);
    }
  }, 50);
  try {
    // Measure only once every slow connection is established: a burst of SYNs beyond the listen
    // backlog would otherwise cost the normal clients a 1 s SYN retry that is not the server's doing.
    await Promise.all(sockets.map((s) => (s.connecting ? new Promise((r) => s.once('connect', r).once('error', r)) : undefined)));
    const from = (await hub.publish('normal', 'before')).cursor;
    await hub.publish('normal', 'ready');
    const times: number[] = [];
    let served = 0;
    for (let i = 0; i < normal; i += 4) {
      await Promise.all(
        Array.from({ length: Math.min(4, normal - i) }, async () => {
          const started = performance.now();
          const res = await request(`${server.mount}/poll?channel=normal&cursor=${from}`);
          times.push(performance.now() - started);
          if (res.status === 200 && res.json().messages[0]?.data === 'ready') served++;
        }),
      );
    }
    times.sort((a, b) => a - b);
    const at = (q: number): number => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10;
    return { slowConnections: slow, normalRequests: normal, served, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
  } finally {
    clearInterval(trickle);
    for (const socket of sockets) socket.destroy();
  }
}
