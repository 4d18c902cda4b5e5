import { etagMatches } from '../src/http/etag-match';

const ETAG = '"abc"';

describe('etagMatches', () => {
  it.each([
    ['"abc"', true],
    ['W/"abc"', true],
    ['"x", W/"abc"', true],
    ['  "x"  ,\t"abc"  ', true],
    ['*', true],
    ['"abcd"', false],
    ['abc', false],
    ['', false],
    [`"a${' '.repeat(64 * 1024)}b"`, false],
    [`${' '.repeat(64 * 1024)}"abc"`, true],
  ])('%j → %p', (header, expected) => {
    expect(etagMatches(header, ETAG)).toBe(expected);
  });

  // The header is the client's: the cost must grow with its length, not with its square. CPU time
  // of 16 times the input, compared with the same number of calls on the smaller one: about 16
  // times for a linear scan, about 256 for the quadratic regex split it replaced.
  it('takes time linear in the header length on a long run of spaces', () => {
    const header = (n: number): string => `"a${' '.repeat(n)}b"`;
    const cpu = (input: string, calls: number): number => {
      const start = process.cpuUsage();
      for (let i = 0; i < calls; i++) etagMatches(input, ETAG);
      const used = process.cpuUsage(start);
      return used.user + used.system;
    };
    const small = header(1_000);
    let calls = 1;
    while (cpu(small, calls) < 20_000) calls *= 2; // at least 20 ms, so the ratio is not noise
    const ratio = cpu(header(16_000), calls) / cpu(small, calls);
    expect(ratio).toBeLessThan(64);
  });
});
