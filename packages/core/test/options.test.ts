import { createComet } from '../src/hub';
import { resolveOptions, type CometOptions } from '../src/options';

describe('cors.origins', () => {
  it('takes one origin as a string, not as a set of its characters', () => {
    const { corsAllows } = resolveOptions({ cors: { origins: 'https://app.example' } });
    expect(corsAllows('https://app.example')).toBe(true);
    expect(corsAllows('h')).toBe(false);
    expect(corsAllows('https://other.example')).toBe(false);
  });

  it('takes a list of strings and RegExps, a RegExp alone, or a function', () => {
    const list = resolveOptions({ cors: { origins: ['https://a.example', /^https:\/\/[a-z]+\.b\.example$/g] } }).corsAllows;
    expect([list('https://a.example'), list('https://x.b.example'), list('https://x.b.example'), list('https://c.example')]).toEqual([
      true,
      true,
      true,
      false,
    ]);
    expect(resolveOptions({ cors: { origins: /^https:\/\/c\.example$/ } }).corsAllows('https://c.example')).toBe(true);
    expect(resolveOptions({ cors: { origins: (o) => o.endsWith('.d') } }).corsAllows('https://x.d')).toBe(true);
  });

  it.each([[42], [{}], [[1]], [null]])('refuses %p with a TypeError', (origins) => {
    expect(() => resolveOptions({ cors: { origins } } as unknown as CometOptions)).toThrow(TypeError);
  });
});

describe('history limits', () => {
  it.each([
    [{ maxCount: 0 }],
    [{ maxCount: -1 }],
    [{ maxCount: 1.5 }],
    [{ maxAgeMs: -1 }],
    [{ maxAgeMs: 0 }],
    [{ maxAgeMs: Number.NaN }],
  ])('refuses %p with a TypeError, as every other bad number is', (history) => {
    expect(() => createComet({ history })).toThrow(TypeError);
  });

  it('takes good ones', async () => {
    const hub = createComet({ history: { maxCount: 1, maxAgeMs: 1000 } });
    await hub.close();
  });
});

describe('allowedHosts', () => {
  it('allows any host when not set, and only listed host names (any port, any case) when set', () => {
    expect(resolveOptions({}).hostAllowed('evil.example')).toBe(true);
    const { hostAllowed } = resolveOptions({ allowedHosts: ['app.example', '[::1]'] });
    expect([hostAllowed('app.example'), hostAllowed('APP.example:8080'), hostAllowed('[::1]:3000')]).toEqual([true, true, true]);
    expect([hostAllowed('evil.example'), hostAllowed(undefined), hostAllowed('app.example.evil')]).toEqual([false, false, false]);
  });

  it('refuses something that is not a list of names', () => {
    expect(() => resolveOptions({ allowedHosts: 'app.example' } as unknown as CometOptions)).toThrow(TypeError);
  });
});
