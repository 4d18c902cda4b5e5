import http from 'node:http';
import net from 'node:net';
import express from 'express';
import { createComet, withComet } from '@cometkit/core';
import { cometExpress } from '@cometkit/express';
import { cometKoa } from '@cometkit/koa';
import { listen } from '@cometkit/core/testing';

/* eslint-disable @typescript-eslint/no-require-imports */
const Koa = require('koa');

// Far over the limit and over what loopback socket buffers absorb (a few MB) without the server reading.
const TOTAL = 16 * 1024 * 1024;
const CHUNK = Buffer.alloc(64 * 1024, 'a');

interface Upload {
  answer: string;
  written: number;
  closedByServer: boolean;
}

/**
 * POSTs a body far over the limit as fast as the server takes it, and stops when the server closes
 * the connection or everything is sent. A server that drains the rest of the body takes all of it.
 */
function upload(port: number, chunked: boolean): Promise<Upload> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let answer = '';
    let written = 0;
    let done = false;
    const finish = (closedByServer: boolean): void => {
      if (done) return;
      done = true;
      socket.destroy();
      resolve({ answer, written, closedByServer });
    };
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
    socket.on('end', () => finish(true));
    socket.on('close', () => finish(true));
    socket.on('error', () => finish(true));
    const length = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${TOTAL}`;
    socket.write(`POST /comet/publish HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n${length}\r\n\r\n`);
    const pump = (): void => {
      while (!done && written < TOTAL) {
        written += CHUNK.length;
        const frame = chunked ? Buffer.concat([Buffer.from(`${CHUNK.length.toString(16)}\r\n`), CHUNK, Buffer.from('\r\n')]) : CHUNK;
        if (!socket.write(frame)) return void socket.once('drain', pump);
      }
      // Sent it all and the server has not closed: it read the whole upload. Ask and see.
      if (!done) setImmediate(() => finish(false));
    };
    pump();
  });
}

const servers = [
  ['withComet', (hub: ReturnType<typeof createComet>) => http.createServer(withComet(hub, '/comet', (_req, res) => res.end()))],
  ['express', (hub: ReturnType<typeof createComet>) => http.createServer(express().use('/comet', cometExpress(hub) as never))],
  ['koa', (hub: ReturnType<typeof createComet>) => http.createServer(new Koa().use(cometKoa(hub, { prefix: '/comet' })).callback())],
] as const;

describe.each(servers)('a publish body over the limit on %s', (_name, build) => {
  it.each([
    ['declared by Content-Length', false],
    ['found while reading a chunked body', true],
  ])('is answered 413, and the server closes the connection instead of taking the rest (%s)', async (_how, chunked) => {
    const hub = createComet({ httpPublish: true });
    const server = await listen(build(hub));
    try {
      const result = await upload((server.server.address() as net.AddressInfo).port, chunked);
      expect(result.answer).toMatch(/^HTTP\/1\.1 413 /);
      expect(result.answer.toLowerCase()).toContain('connection: close');
      expect(result.answer).toContain('"body_too_large"');
      expect(result.closedByServer).toBe(true);
      expect(result.written).toBeLessThan(TOTAL);
    } finally {
      await hub.close();
      await server.close();
    }
  });
});
