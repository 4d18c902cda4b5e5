/**
 * Reconnect delay for the `attempt`-th retry in a row (0 first): exponential from `minMs`,
 * capped at `maxMs`, with "equal jitter" (between half and all of it) so that clients cut off
 * together do not come back together.
 */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
