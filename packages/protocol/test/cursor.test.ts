import { canonicalChannel, formatCursor, parseCursor } from '@cometkit/protocol';

describe('parseCursor', () => {
  it('reads epoch and position, and formatCursor writes them back', () => {
    expect(parseCursor('mwpzn7yq4d0n-17')).toEqual({ epoch: 'mwpzn7yq4d0n', position: 17 });
    expect(parseCursor('a-0')).toEqual({ epoch: 'a', position: 0 });
    expect(formatCursor({ epoch: 'mwpzn7yq4d0n', position: 17 })).toBe('mwpzn7yq4d0n-17');
  });

  it.each(['', 'abc', 'abc-', '-3', 'ABC-1', 'a-1-2', 'a-x', 'a-01', 'a--1', 'a-1 ', `${'a'.repeat(25)}-1`, 'a-99999999999999999'])(
    'refuses %p',
    (text) => {
      expect(parseCursor(text)).toBeUndefined();
    },
  );

  it('refuses a position past the safe integers', () => {
    expect(parseCursor('a-9007199254740991')).toEqual({ epoch: 'a', position: Number.MAX_SAFE_INTEGER });
    expect(parseCursor('a-9007199254740992')).toBeUndefined();
  });
});

describe('canonicalChannel', () => {
  it('drops one leading slash and nothing else', () => {
    expect(canonicalChannel('/chat/room')).toBe('chat/room');
    expect(canonicalChannel('chat/room')).toBe('chat/room');
  });
});
