import fc from 'fast-check';
import { WebSocket } from 'ws';
import { framePayload, textFrame } from '../src/shared-frame';

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

  it('is its parts one after another, and framePayload gives them back', () => {
    const parts = [Buffer.from('{"a":'), Buffer.alloc(0), Buffer.from('1}')];
    expect(textFrame(parts)).toEqual(wsFrame(Buffer.from('{"a":1}')));
    for (const length of [0, 125, 126, 65_535, 65_536]) {
      const payload = Buffer.alloc(length, 0x62);
      expect(framePayload(textFrame(payload))).toEqual(payload);
    }
  });
});
