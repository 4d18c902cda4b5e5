/**
 * Baseline: long-poll on bare `node:http`, the least a lossless long-poll server can do.
 * `GET /poll?cursor=N` answers at once with the messages after position N (at most 1,000), else
 * holds until the next publish. The log is an array bounded to 10,000 messages; a publish answers
 * every held poll with one body built once (they all wait at the head).
 */
import http from 'node:http';
import express from 'express';
import Koa from 'koa';
import { PUBLISH_PATH, plainApp, publishRoute, runServer, WIRE_EPOCH, type BenchMessage } from './target-server';

const HISTORY = 10_000;
const BATCH = 1_000;
const log: string[] = []; // JSON of the messages at positions first..head
let first = 1;
let head = 0;
const waiting = new Set<http.ServerResponse>();

function answer(res: http.ServerResponse, body: string): void {
  res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(body);
}

function batchAfter(cursor: number): string {
  const from = Math.max(cursor + 1, first);
  const to = Math.min(head, from + BATCH - 1);
  return `{"cursor":${to},"messages":[${log.slice(from - first, to - first + 1).join(',')}]}`;
}

const poll: http.RequestListener = (req, res) => {
  const url = new URL(req.url ?? '/', 'http://x');
  if (url.pathname !== '/poll') {
    res.writeHead(404).end();
    return;
  }
  const cursor = Number(url.searchParams.get('cursor') ?? head);
  if (cursor < head) return answer(res, batchAfter(cursor));
  waiting.add(res);
  res.on('close', () => waiting.delete(res));
};

// argv `wire` (diagnostic): each message in cometkit's wire form, `{"channel","cursor","data"}`
// with a cursor of cometkit's length, so that the bytes written per message are cometkit's and the
// cost of the format can be told apart from the cost of the server.
const wire = process.argv.includes('wire');
const format = (message: BenchMessage, position: number): string =>
  wire ? `{"channel":"bench/feed","cursor":"${WIRE_EPOCH}-${position}","data":${JSON.stringify(message)}}` : JSON.stringify(message);

function publish(message: BenchMessage): void {
  log.push(format(message, head + 1));
  head++;
  if (log.length > HISTORY) {
    log.shift();
    first++;
  }
  if (waiting.size === 0) return;
  const body = `{"cursor":${head},"messages":[${log[log.length - 1]}]}`;
  for (const res of waiting) answer(res, body);
  waiting.clear();
}

const publishHandler = publishRoute(publish);
const bare = plainApp(publishHandler, poll);
// argv[2] `express` / `koa` (references): the same handlers as Express routes, or behind one Koa
// middleware that hands the request over (`ctx.respond = false`, as cometkit's Koa mount does), to
// price the framework itself.
function inKoa(): http.RequestListener {
  const app = new Koa();
  app.use((ctx) => {
    ctx.respond = false;
    bare(ctx.req, ctx.res);
  });
  return app.callback();
}
const listener: http.RequestListener = process.argv.includes('express')
  ? express().get('/poll', poll).post(PUBLISH_PATH, publishHandler)
  : process.argv.includes('koa')
    ? inKoa()
    : bare;

await runServer(http.createServer(listener), { held: () => waiting.size, cursor: () => String(head), publish });
