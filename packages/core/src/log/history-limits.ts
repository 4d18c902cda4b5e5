/** How much history a broker keeps. Whichever limit is reached first evicts the oldest entries. */
export interface HistoryLimits {
  /** Most entries kept. */
  maxCount?: number;
  /** Oldest entry kept, in ms. */
  maxAgeMs?: number;
  /** Most bytes the kept entries (their text and their frames) may hold. */
  maxBytes?: number;
}

/**
 * History limits checked like every other number: a positive whole count and byte limit, a positive age. The
 * memory broker takes the result; a limit left out keeps the broker's default.
 */
export function resolveHistory(history: HistoryLimits | undefined): HistoryLimits {
  if (history === undefined) return {};
  const resolved: HistoryLimits = {};
  if (history.maxCount !== undefined) {
    if (!Number.isInteger(history.maxCount) || history.maxCount <= 0) {
      throw new TypeError('cometkit: history.maxCount must be a positive whole number');
    }
    resolved.maxCount = history.maxCount;
  }
  if (history.maxAgeMs !== undefined) {
    if (!Number.isFinite(history.maxAgeMs) || history.maxAgeMs <= 0) throw new TypeError('cometkit: history.maxAgeMs must be a positive number');
    resolved.maxAgeMs = history.maxAgeMs;
  }
  if (history.maxBytes !== undefined) {
    if (!Number.isInteger(history.maxBytes) || history.maxBytes <= 0) {
      throw new TypeError('cometkit: history.maxBytes must be a positive whole number');
    }
    resolved.maxBytes = history.maxBytes;
  }
  return resolved;
}
