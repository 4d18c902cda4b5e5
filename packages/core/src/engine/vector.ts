/**
 * Positions of a partitioned log, one per partition, as the engine keeps them for itself and for
 * each subscriber (a log of one partition never reaches this file: its position is a number).
 */

/** Raises each position of `target` to `source`'s where that is ahead. */
export function raiseTo(target: number[], source: readonly number[]): void {
  for (let i = 0; i < target.length; i++) if (source[i]! > target[i]!) target[i] = source[i]!;
}

/** True when no position of `a` is behind `b`'s (both of one partition count). */
export function atOrAhead(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i]! < b[i]!) return false;
  return true;
}

/** True when both name the same positions. */
export function samePositions(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && atOrAhead(a, b) && atOrAhead(b, a);
}

/** The sum of the positions: how many entries lie before them (a cursor's `position`). */
export function sumOf(positions: readonly number[]): number {
  let sum = 0;
  for (const position of positions) sum += position;
  return sum;
}
