import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { handleNode, isCometError, type CometRequest } from '@cometkit/core';

it('a Node request lets go of its body once released: body() then refuses, clearly', async () => {
  let second: unknown;
  const handler = async (request: CometRequest) => {
    const body = await request.body(1024);
    request.releaseBody?.();
    second = await request.body(1024).catch((error: unknown) => error);
    return { status: 200, headers: { 'content-type': 'text/plain' }, body: String(body) };
  };
  const server = http.createServer((req, res) => void handleNode(handler, req, res, { url: req.url!, raw: req }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as AddressInfo;
    const res = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'hello' });
    expect(await res.text()).toBe('hello');
    expect(isCometError(second) && second.code).toBe('bad_request');
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
