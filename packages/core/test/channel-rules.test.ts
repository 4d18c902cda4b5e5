import fc from 'fast-check';
import { matchesPattern } from '@cometkit/protocol';
import { compileRules, type Identity } from '../src/rules/channel-rules';
import { coverage, patternCovers, segmentsOf } from '../src/rules/pattern-covers';

const alice: Identity = { id: 'alice' };
const bob: Identity = { id: 'bob' };

describe('patternCovers', () => {
  it.each([
    ['chat/*', 'chat/room', true],
    ['chat/*', 'chat/*', true],
    ['chat/*', 'chat/**', false],
    ['chat/**', 'chat/a/b', true],
    ['chat/**', 'chat/**', true],
    ['chat/**', 'chat', false],
    ['user/:id', 'user/alice', true],
    ['user/:id', 'user/*', true],
    ['private/alice', '*/alice', false],
    ['private/alice', '**', false],
    ['private/**', 'private/alice/*', true],
    ['a/b', 'a/b/c', false],
    ['a/b/c', 'a/b', false],
    ['**', 'anything/at/all', true],
    ['**', '**', true],
    ['*', '**', false],
  ])('%s covers %s: %s', (template, pattern, expected) => {
    expect(patternCovers(template, pattern)).toBe(expected);
  });

  it('binds the parameters a pattern names and reports those it leaves open', () => {
    expect(coverage(segmentsOf('user/:id/rooms/:room'), segmentsOf('user/alice/rooms/*'))).toEqual({ params: { id: 'alice' }, open: ['room'] });
  });

  // Every channel a covered pattern matches is matched by the template (its `:name` read as `*`).
  const segment = fc.constantFrom('a', 'b', 'c');
  const patternSegment = fc.constantFrom('a', 'b', '*');
  const templateSegment = fc.constantFrom('a', 'b', '*', ':x', ':y');
  const withTail = (segments: fc.Arbitrary<string>) =>
    fc.tuple(fc.array(segments, { minLength: 1, maxLength: 4 }), fc.boolean()).map(([s, tail]) => (tail ? [...s, '**'] : s));
  it('is sound: a covered pattern matches no channel outside the template', () => {
    fc.assert(
      fc.property(withTail(templateSegment), withTail(patternSegment), fc.array(segment, { minLength: 1, maxLength: 6 }), (template, pattern, channel) => {
        if (!coverage(template, pattern) || !matchesPattern(pattern, channel)) return;
        const asPattern = template.map((s) => (s.startsWith(':') ? '*' : s));
        expect(matchesPattern(asPattern, channel)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('compileRules', () => {
  const allowed = compileRules({
    'user/:id/**': (who, { id }) => who?.id === id,
    'chat/*': 'everyone',
    'news/**': { subscribe: 'identified', publish: 'nobody' },
    'private/alice': (who) => who?.id === 'alice',
  });

  it('allows what a rule allows, for the identity it names', () => {
    expect(allowed('subscribe', ['user/alice/inbox'], alice)).toBe(true);
    expect(allowed('subscribe', ['user/alice/inbox'], bob)).toBe(false);
    expect(allowed('subscribe', ['user/alice/**'], alice)).toBe(true);
    expect(allowed('publish', ['chat/room'], undefined)).toBe(true);
    expect(allowed('subscribe', ['news/world'], bob)).toBe(true);
    expect(allowed('subscribe', ['news/world'], undefined)).toBe(false);
    expect(allowed('publish', ['news/world'], alice)).toBe(false);
  });

  it('refuses a wildcard that reaches further than any rule, whoever asks', () => {
    for (const who of [alice, bob, undefined]) {
      expect(allowed('subscribe', ['*/alice'], who)).toBe(false);
      expect(allowed('subscribe', ['**'], who)).toBe(false);
      expect(allowed('subscribe', ['user/*/inbox'], who)).toBe(false); // `:id` left open: the function cannot speak for all
      expect(allowed('subscribe', ['chat/**'], who)).toBe(false);
    }
  });

  it('refuses what no rule names, and a request when any of its channels is refused', () => {
    expect(allowed('subscribe', ['orders/1'], alice)).toBe(false);
    expect(allowed('subscribe', ['chat/room', 'orders/1'], alice)).toBe(false);
  });

  it('waits for a rule that answers later, and any covering rule may allow', async () => {
    const later = compileRules({
      'room/:id': async (who, { id }) => who?.id === id,
      'room/open': 'everyone',
    });
    await expect(later('subscribe', ['room/alice'], alice)).resolves.toBe(true);
    await expect(later('subscribe', ['room/alice'], bob)).resolves.toBe(false);
    expect(later('subscribe', ['room/open'], bob)).toBe(true);
  });

  it('takes only a truthful true as a yes', () => {
    const sloppy = compileRules({ 'a/:id': (() => 1) as unknown as () => boolean });
    expect(sloppy('subscribe', ['a/b'], alice)).toBe(false);
  });

  it('refuses malformed templates and rules when built', () => {
    expect(() => compileRules({ 'a/**/b': 'everyone' })).toThrow(/not a channel template/);
    expect(() => compileRules({ 'a b': 'everyone' })).toThrow(/not a channel template/);
    expect(() => compileRules({ a: 'anyone' as never })).toThrow(/must be/);
    expect(() => compileRules({ a: { subscribe: 'sometimes' as never } })).toThrow(/must be/);
  });
});
