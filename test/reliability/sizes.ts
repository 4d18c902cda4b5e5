/** How big each scenario runs. `CHAOS=full` (pnpm chaos) the sizes; unset, the bounded run. */
export type ChaosMode = 'bounded' | 'medium' | 'full';

/** Sizes of the reliability scenarios. */
export interface Sizes {
  mode: ChaosMode;
  /** Forced drops per transport, per server, per broker. */
  drops: number;
  /** Abort cycles per transport, per server. */
  abortCycles: number;
  /** Paused readers per streaming transport. */
  slowReaders: number;
  /** Held connections at shutdown, per server, spread over every transport. */
  heldAtShutdown: number;
  /** Slow-header and slow-body connections. */
  slowloris: number;
  /** Requests of the normal clients measured meanwhile. */
  normalRequests: number;
  /** Header-fuzz requests per server. */
  fuzzRuns: number;
}

const table: Record<ChaosMode, Omit<Sizes, 'mode'>> = {
  bounded: { drops: 30, abortCycles: 200, slowReaders: 4, heldAtShutdown: 500, slowloris: 200, normalRequests: 100, fuzzRuns: 100 },
  medium: { drops: 300, abortCycles: 3_000, slowReaders: 20, heldAtShutdown: 3_000, slowloris: 600, normalRequests: 500, fuzzRuns: 300 },
  full: { drops: 1_000, abortCycles: 10_000, slowReaders: 50, heldAtShutdown: 10_000, slowloris: 2_000, normalRequests: 1_000, fuzzRuns: 1_000 },
};

/** The mode `CHAOS` selects (`full`, `medium`; anything else is the bounded run of `pnpm test`). */
export function chaosMode(): ChaosMode {
  const mode = process.env.CHAOS;
  return mode === 'full' || mode === 'medium' ? mode : 'bounded';
}

/** The sizes of the current mode. */
export function sizes(mode: ChaosMode = chaosMode()): Sizes {
  return { mode, ...table[mode] };
}
