import type { TransportName } from './types';

/**
 * Transports that failed to open against one server while a later one worked, kept for this tab's
 * session (sessionStorage, else memory), so the next page skips them at once instead of paying
 * for the failure again.
 */
const memory: Record<string, string> = {};
const KEY = 'cometkit.failed ';

function store(): Pick<Storage, 'getItem' | 'setItem'> {
  try {
    return sessionStorage; // absent in Node; throws where storage is blocked
  } catch {
    return { getItem: (key) => memory[key] ?? null, setItem: (key, value) => void (memory[key] = value) };
  }
}

/** The transports remembered as failing against `server`. */
export function failedHere(server: string): TransportName[] {
  return (store().getItem(KEY + server) ?? '').split(',').filter(Boolean) as TransportName[];
}

/** Remembers `names` (with those already remembered) as failing against `server`. */
export function rememberFailed(server: string, names: Iterable<TransportName>): void {
  store().setItem(KEY + server, [...new Set([...failedHere(server), ...names])].join());
}
