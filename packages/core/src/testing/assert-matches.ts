import { deepStrictEqual, ok } from 'node:assert/strict';

/**
 * Asserts that `actual` is an object holding every property of `expected` with a deeply equal
 * value (other properties may be there too): the suite's partial match, without a runner's `expect`.
 */
export function assertMatches(actual: unknown, expected: Record<string, unknown>, what = 'value'): void {
  ok(typeof actual === 'object' && actual !== null, `${what} is not an object: ${JSON.stringify(actual)}`);
  const fields = actual as Record<string, unknown>;
  for (const [key, value] of Object.entries(expected)) deepStrictEqual(fields[key], value, `${what}.${key} in ${JSON.stringify(actual)}`);
}
