import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocket, WebSocketServer } from 'ws';
import { canWriteWhole, textFrame, writeWhole } from '../../src/shared-frame';

describe('writing whole frames', () => {
  let server: http.Server;
  const opened: WebSocket[] = [];
  afterEach(async () => {
    // Both ends, even when an assertion failed first: the server closes once no socket is left.
    opened.splice(0).forEach((socket) => socket.terminate());
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** The server side of one connection, on a real ws server with the given compression option. */
  async function serverSocket(perMessageDeflate: boolean): Promise<{ socket: WebSocket; client: WebSocket; got: string[]; arrived: (n: number) => Promise<void> }> {
    server = http.createServer();
    const sockets = new WebSocketServer({ server, perMessageDeflate });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<WebSocket>((resolve) => sockets.once('connection', resolve));
    const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/`, { perMessageDeflate });
    const socket = await accepted;
    opened.push(client, socket);
    await new Promise((resolve) => client.once('open', resolve));
    const got: string[] = [];
    const waiters: (() => void)[] = [];
    client.on('message', (data) => {
      got.push(String(data));
      waiters.splice(0).forEach((wake) => wake());
    });
    const arrived = async (n: number): Promise<void> => {
      while (got.length < n) await new Promise<void>((resolve) => waiters.push(resolve));
    };
    return { socket, client, got, arrived };
  }
  const frame = (text: string): Buffer => textFrame(Buffer.from(text));

  it('goes to the TCP stream of a socket with no extension, in order with what ws sends', async () => {
    const { socket, client, got, arrived } = await serverSocket(false);
    expect(canWriteWhole(socket)).toBe(true);
    socket.send('one');
    expect(writeWhole(socket, frame('two'))).toBe(true);
    socket.send('three');
    await arrived(3);
    expect(got).toEqual(['one', 'two', 'three']);
    client.terminate();
    socket.terminate();
  });

  it('is left to send while ws is busy with a frame of its own (a Blob it reads), so the order holds', async () => {
    const { socket, client, got, arrived } = await serverSocket(false);
    socket.send(new Blob(['one']));
    // ws reads the Blob asynchronously and queues what comes after it: a whole frame must wait too.
    expect(writeWhole(socket, frame('two'))).toBe(false);
    socket.send('two');
    await arrived(2);
    expect(got).toEqual(['one', 'two']);
    expect(writeWhole(socket, frame('three'))).toBe(true);
    await arrived(3);
    expect(got).toEqual(['one', 'two', 'three']);
    client.terminate();
    socket.terminate();
  });

  it('is not for a socket that agreed permessage-deflate (ws then frames asynchronously), nor one that is closing', async () => {
    const compressed = await serverSocket(true);
    expect(canWriteWhole(compressed.socket)).toBe(false);
    compressed.client.terminate();
    compressed.socket.terminate();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const plain = await serverSocket(false);
    plain.socket.close(1000);
    expect(writeWhole(plain.socket, frame('late'))).toBe(false);
    plain.client.terminate();
  });
});
