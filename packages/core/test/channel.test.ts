import fc from 'fast-check';
import { isCometError, matchesPattern, parseChannel, type ParsedChannel } from '@cometkit/core';
import { SubscriptionIndex } from '@cometkit/core/kit';

function parsed(name: string, allowPattern = true): ParsedChannel {
  const result = parseChannel(name, allowPattern);
  if (isCometError(result)) throw result;
  return result;
}

describe('parseChannel', () => {
  it('canonicalises a leading slash away', () => {
    expect(parsed('/orders/42').name).toBe('orders/42');
    expect(parsed('orders/42').name).toBe('orders/42');
    expect(parsed('/orders/42').segments).toEqual(['orders', '42']);
  });

  it.each(['', '/', 'a//b', 'a/', 'a b', 'a/<script>', 'a/**/b', 'a/b*', 'x'.repeat(201), 'a/'.repeat(16) + 'a'])(
    'refuses %j with bad_channel',
    (name) => {
      const result = parseChannel(name, true);
      expect(isCometError(result) && result.code).toBe('bad_channel');
    },
  );

  it('refuses non-strings', () => {
    for (const value of [undefined, null, 42, {}, ['a']]) {
      expect(isCometError(parseChannel(value, true))).toBe(true);
    }
  });

  it('refuses patterns where only exact channels are allowed', () => {
    expect(isCometError(parseChannel('a/*', false))).toBe(true);
    expect(isCometError(parseChannel('a/**', false))).toBe(true);
    expect(parsed('a/*').isPattern).toBe(true);
    expect(parsed('a/b').isPattern).toBe(false);
  });
  it('accepts every Bayeux segment character, and the ones cometkit took before', () => {
    expect(parsed('/a-b/c_d/e!f/g~h/(i)/j$k/l@m', false).name).toBe('a-b/c_d/e!f/g~h/(i)/j$k/l@m');
    expect(parsed('a.b/c:d/e+f/g=h/i,j/k%20', false).segments).toHaveLength(6);
  });

  it.each(['a/b*', 'a/*b', 'a/b#', 'a/b?', 'a/b&c', 'a/[b]', 'a/"b"'])('still refuses %j', (name) => {
    expect(isCometError(parseChannel(name, true))).toBe(true);
  });

  // Bayeux's own channels carry handshakes and request/response, never broadcasts: a cometkit
  // publisher cannot reach them, and a subscriber (exact or pattern) would wait forever, so both are refused.
  it.each(['meta/handshake', '/meta/connect', 'meta', 'service/echo', '/service/a/b', 'meta/*', 'service/**'])(
    'refuses the reserved channel %j for publishing and subscribing',
    (name) => {
      for (const allowPattern of [false, true]) {
        const result = parseChannel(name, allowPattern);
        expect(isCometError(result) && result.code).toBe('bad_channel');
      }
      const publish = parseChannel(name.replace(/\/\*\*?$/, '/x'), false);
      expect(isCometError(publish) && publish.message).toMatch(/reserved/);
    },
  );

  it('reserves only a first segment that is exactly meta or service', () => {
    for (const name of ['metadata/x', 'a/meta', 'a/service/b', 'Meta/x', 'services']) expect(parsed(name, false).name).toBe(name);
  });
});

describe('matchesPattern', () => {
  const cases: [string, string, boolean][] = [
    ['a/b', 'a/b', true],
    ['a/b', 'a/c', false],
    ['a/*', 'a/b', true],
    ['a/*', 'a', false],
    ['a/*', 'a/b/c', false],
    ['a/**', 'a/b', true],
    ['a/**', 'a/b/c/d', true],
    ['a/**', 'a', false],
    ['*', 'a', true],
    ['*', 'a/b', false],
    ['**', 'a', true],
    ['**', 'a/b/c', true],
    ['a/*/c', 'a/b/c', true],
    ['a/*/c', 'a/b/d', false],
    ['a/*/**', 'a/b', false],
    ['a/*/**', 'a/b/c', true],
  ];
  it.each(cases)('%s vs %s → %s', (pattern, channel, expected) => {
    expect(matchesPattern(parsed(pattern).segments, parsed(channel).segments)).toBe(expected);
  });
  it.each([
    [['*'], ['meta']],
    [['**'], ['meta', 'connect']],
    [['*', 'x'], ['service', 'x']],
    [['*', '**'], ['meta', 'a', 'b']],
  ])('never lets the wildcard %j match the reserved channel %j', (pattern, channel) => {
    expect(matchesPattern(pattern, channel)).toBe(false);
  });

  it('matches a reserved channel exactly, and reserved words in later segments by wildcard', () => {
    expect(matchesPattern(['meta', 'x'], ['meta', 'x'])).toBe(true);
    expect(matchesPattern(['meta', '*'], ['meta', 'x'])).toBe(true);
    expect(matchesPattern(['a', '*'], ['a', 'meta'])).toBe(true);
    expect(matchesPattern(['**'], ['a', 'service'])).toBe(true);
  });

  it('agrees with a brute-force matcher on random patterns and channels, reserved ones included', () => {
    // The rule spelled out another way: the pattern as a regular expression over the joined name,
    // and reserved channels out of any wildcard's reach.
    const brute = (pattern: string[], channel: string[]): boolean => {
      const source = pattern.map((s) => (s === '**' ? '[^/]+(?:/[^/]+)*' : s === '*' ? '[^/]+' : s)).join('/');
      const reserved = channel[0] === 'meta' || channel[0] === 'service';
      if (reserved && (pattern[0] === '*' || pattern[0] === '**')) return false;
      return new RegExp(`^${source}$`).test(channel.join('/'));
    };
    const segment = fc.constantFrom('a', 'b', 'meta', 'service');
    const channel = fc.array(segment, { minLength: 1, maxLength: 4 });
    const pattern = fc
      .tuple(fc.array(fc.constantFrom('a', 'meta', 'service', '*'), { maxLength: 3 }), fc.constantFrom('a', 'meta', '*', '**'))
      .map(([head, tail]) => [...head, tail]);
    fc.assert(fc.property(pattern, channel, (p, c) => expect(matchesPattern(p, c)).toBe(brute(p, c))), { numRuns: 2000 });
  });
});

describe('SubscriptionIndex', () => {
  function matches(index: SubscriptionIndex<string>, channel: string): string[] {
    const found = new Set<string>();
    index.forEachMatch(parsed(channel).segments, (s) => found.add(s));
    return [...found].sort();
  }

  it('finds exact, * and ** subscribers and nothing else', () => {
    const index = new SubscriptionIndex<string>();
    index.add(parsed('a/b').segments, 'exact');
    index.add(parsed('a/*').segments, 'star');
    index.add(parsed('a/**').segments, 'deep');
    index.add(parsed('**').segments, 'all');
    index.add(parsed('x/y').segments, 'other');
    expect(matches(index, 'a/b')).toEqual(['all', 'deep', 'exact', 'star']);
    expect(matches(index, 'a/c')).toEqual(['all', 'deep', 'star']);
    expect(matches(index, 'a/b/c')).toEqual(['all', 'deep']);
    expect(matches(index, 'a')).toEqual(['all']);
    expect(matches(index, 'x/y')).toEqual(['all', 'other']);
  });

  it('removes subscribers and prunes empty branches', () => {
    const index = new SubscriptionIndex<string>();
    const patterns = ['a/b/c', 'a/*', 'a/**', 'q'];
    for (const p of patterns) index.add(parsed(p).segments, 's');
    expect(index.size).toBe(4);
    for (const p of patterns) index.remove(parsed(p).segments, 's');
    expect(index.size).toBe(0);
    expect(matches(index, 'a/b/c')).toEqual([]);
    // The root has no children left: a fresh lookup walks nothing.
    expect((index as unknown as { root: { children: Map<string, unknown> } }).root.children.size).toBe(0);
  });

  it('ignores removal of what was never added', () => {
    const index = new SubscriptionIndex<string>();
    index.add(parsed('a/b').segments, 's');
    index.remove(parsed('a/c').segments, 's');
    index.remove(parsed('a/b').segments, 'other');
    expect(matches(index, 'a/b')).toEqual(['s']);
  });

  it('agrees with matchesPattern on random patterns and channels', () => {
    const segment = fc.constantFrom('a', 'b', 'c');
    const channel = fc.array(segment, { minLength: 1, maxLength: 4 });
    const pattern = fc
      .tuple(fc.array(fc.constantFrom('a', 'b', '*'), { minLength: 0, maxLength: 3 }), fc.constantFrom('a', '*', '**'))
      .map(([head, tail]) => [...head, tail]);
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 12 }), channel, (patterns, target) => {
        const index = new SubscriptionIndex<number>();
        patterns.forEach((p, i) => index.add(p, i));
        const found = new Set<number>();
        index.forEachMatch(target, (i) => found.add(i));
        const expected = patterns.flatMap((p, i) => (matchesPattern(p, target) ? [i] : []));
        expect([...found].sort((x, y) => x - y)).toEqual(expected);
      }),
    );
  });
});
