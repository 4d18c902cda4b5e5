import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Socket } from 'node:net';
import fc from 'fast-check';
import { WebSocket, WebSocketServer } from 'ws';
import { directStream, sharedTextFrame, textFrame } from '../src/shared-frame';

/** `ws`'s own framing (what `socket.send` writes), the oracle for ours. */
const wsFrame = (payload: Buffer): Buffer => {
  const { Sender } = WebSocket as unknown as { Sender: { frame(data: Buffer, options: object): Buffer[] } };
  return Buffer.concat(Sender.frame(payload, { fin: true, opcode: 1, mask: false, readOnly: false, rsv1: false }));
};

describe('textFrame', () => {
  it('writes the bytes ws writes, at every length encoding (property)', () => {
    const edges = [0, 1, 125, 126, 127, 65_535, 65_536, 70_000];
    for (const length of edges) expect(textFrame(Buffer.alloc(length, 0x61))).toEqual(wsFrame(Buffer.alloc(length, 0x61)));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), (bytes) => {
        const payload = Buffer.from(bytes);
        expect(textFrame(payload)).toEqual(wsFrame(payload));
      }),
      { numRuns: 60 },
    );
  });

  it('is made once per shared payload, and anew for another', () => {
    const one = Buffer.from('{"a":1}');
    const other = Buffer.from('{"a":1}');
    const first = sharedTextFrame(one);
    expect(sharedTextFrame(other)).not.toBe(first);
    expect(sharedTextFrame(one)).toBe(first);
    expect(sharedTextFrame(other)).toEqual(first);
  });
});

describe('directStream', () => {
  let server: http.Server;
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** The server side of one connection, on a real ws server with the given compression option. */
  async function serverSocket(perMessageDeflate: boolean): Promise<{ socket: WebSocket; client: WebSocket }> {
    server = http.createServer();
    const sockets = new WebSocketServer({ server, perMessageDeflate });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<WebSocket>((resolve) => sockets.once('connection', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, { perMessageDeflate });
    const socket = await accepted;
    await new Promise((resolve) => client.once('open', resolve));
    return { socket, client };
  }

  it('is the TCP stream when no extension was agreed, and frames written to it reach the peer in order', async () => {
    const { socket, client } = await serverSocket(false);
    const stream = directStream(socket);
    expect(stream).toBeInstanceOf(Socket);
    const got: string[] = [];
    const all = new Promise<void>((resolve) => client.on('message', (data) => got.push(String(data)) === 3 && resolve()));
    socket.send('one');
    stream!.write(textFrame(Buffer.from('two')));
    socket.send('three');
    await all;
    expect(got).toEqual(['one', 'two', 'three']);
    client.terminate();
    socket.terminate();
  });

  it('is undefined when permessage-deflate was agreed (ws then frames asynchronously)', async () => {
    const { socket, client } = await serverSocket(true);
    expect(directStream(socket)).toBeUndefined();
    client.terminate();
    socket.terminate();
  });
});
