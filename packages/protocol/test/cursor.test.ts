import fc from 'fast-check';
import { canonicalChannel, formatCursor, isAtOrBefore, MAX_CURSOR_LENGTH, MAX_CURSOR_PARTITIONS, parseCursor, type Cursor } from '@cometkit/protocol';

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

describe('partitioned cursors', () => {
  const position = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }));
  const epoch = fc.stringMatching(/^[a-z0-9]{1,24}$/);

  it('format then parse gives the same cursor back, for any epoch and 2 to 64 positions', () => {
    fc.assert(
      fc.property(epoch, fc.array(position, { minLength: 2, maxLength: MAX_CURSOR_PARTITIONS }), (e, positions) => {
        const text = formatCursor({ epoch: e, position: 0, positions });
        expect(text.length).toBeLessThanOrEqual(MAX_CURSOR_LENGTH);
        expect(parseCursor(text)).toEqual({ epoch: e, position: positions.reduce((a, b) => a + b, 0), positions });
      }),
    );
  });

  it('reads the partitioned form, and formats it back byte for byte', () => {
    expect(parseCursor('mwpzn7yq4d0n-17_0_4')).toEqual({ epoch: 'mwpzn7yq4d0n', position: 21, positions: [17, 0, 4] });
    expect(formatCursor(parseCursor('mwpzn7yq4d0n-17_0_4')!)).toBe('mwpzn7yq4d0n-17_0_4');
  });

  it.each(['a-1_', 'a-_1', 'a-1__2', 'a-1_01', 'a-1_-2', 'a-1_x', 'a-1_2 ', 'A-1_2', 'a-1.2', 'a-1_2.3', `a-${'1_'.repeat(64)}1`, 'a-1_9007199254740992'])(
    'refuses %p',
    (text) => {
      expect(parseCursor(text)).toBeUndefined();
    },
  );

  it('refuses any text longer than the bound without looking further', () => {
    expect(parseCursor(`a-${'0_'.repeat(MAX_CURSOR_LENGTH)}0`)).toBeUndefined();
  });

  it('a one-position cursor parses as before, with no positions', () => {
    expect(parseCursor('a-5')).toStrictEqual({ epoch: 'a', position: 5 });
  });

  it('isAtOrBefore compares position by position, only cursors of one log and one shape', () => {
    const c = (text: string): Cursor => parseCursor(text)!;
    expect(isAtOrBefore(c('e-1_2'), c('e-1_3'))).toBe(true);
    expect(isAtOrBefore(c('e-1_3'), c('e-1_3'))).toBe(true);
    expect(isAtOrBefore(c('e-2_1'), c('e-1_3'))).toBe(false);
    expect(isAtOrBefore(c('e-1_2'), c('f-1_3'))).toBe(false);
    expect(isAtOrBefore(c('e-1_2'), c('e-1_2_0'))).toBe(false);
    expect(isAtOrBefore(c('e-3'), c('e-1_2'))).toBe(false);
    expect(isAtOrBefore(c('e-3'), c('e-4'))).toBe(true);
  });
});

describe('parseCursor against the grammar', () => {
  // The grammars as regular expressions: the reference the hand-written reader must agree with.
  const ONE = /^([a-z0-9]{1,24})-(0|[1-9][0-9]{0,15})$/;
  const MANY = /^([a-z0-9]{1,24})-((?:0|[1-9][0-9]{0,15})(?:_(?:0|[1-9][0-9]{0,15}))+)$/;
  const reference = (text: string): Cursor | undefined => {
    const one = ONE.exec(text);
    if (one) return Number.isSafeInteger(Number(one[2])) ? { epoch: one[1]!, position: Number(one[2]) } : undefined;
    const many = text.length <= MAX_CURSOR_LENGTH ? MANY.exec(text) : null;
    if (!many) return undefined;
    const positions = many[2]!.split('_').map(Number);
    if (positions.length > MAX_CURSOR_PARTITIONS || !positions.every(Number.isSafeInteger)) return undefined;
    return { epoch: many[1]!, position: positions.reduce((a, b) => a + b, 0), positions };
  };
  // Text made of the characters that matter (epoch letters, digits, the separators, a capital, a space).
  const nearCursor = fc.string({ unit: fc.constantFrom('a', 'z', '0', '1', '9', '-', '_', 'A', ' ', '.'), maxLength: 40 });

  it('agrees with the regular grammar on text near the cursor form', () => {
    fc.assert(fc.property(nearCursor, (text) => expect(parseCursor(text)).toStrictEqual(reference(text))), { numRuns: 5_000 });
  });

  it('agrees with it on well-formed cursors, long epochs and long positions included', () => {
    const epoch = fc.stringMatching(/^[a-z0-9]{1,26}$/);
    const digits = fc.stringMatching(/^[0-9]{1,18}$/);
    fc.assert(
      fc.property(epoch, fc.array(digits, { minLength: 1, maxLength: 3 }), (e, parts) => {
        const text = `${e}-${parts.join('_')}`;
        expect(parseCursor(text)).toStrictEqual(reference(text));
      }),
      { numRuns: 5_000 },
    );
  });
});
