/**
 * A publish run, as the driver asks a target server (`--publisher ipc`) or the HTTP publisher
 * for one: which sequence numbers, and how fast. Both pace it the same way, here.
 */
import { setImmediate as turn } from 'node:timers/promises';
import { now } from './ipc';

/** Options of a publish run. */
export interface PublishRun {
  /** First sequence number. */
  from: number;
  count: number;
  /** Time between publishes; 0 publishes as fast as possible. */
  intervalMs: number;
  /** With `intervalMs: 0`: publishes per event-loop turn before yielding to I/O. */
  chunk?: number;
}

/**
 * Calls `send` with the run's sequence numbers in order: `intervalMs` apart (from the run's
 * start, so a late send does not push the later ones back), or with no interval `chunk` (50 by
 * default) per event-loop turn. Returns when the last was sent, with the clock (`now()`) at the
 * start and at that moment.
 */
export async function paceRun(run: PublishRun, send: (seq: number) => void): Promise<{ started: number; finished: number }> {
  const started = now();
  const chunk = run.chunk ?? 50;
  for (let i = 0; i < run.count; i++) {
    if (run.intervalMs > 0) {
      const wait = started + i * run.intervalMs - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    } else if (i > 0 && i % chunk === 0) {
      await turn();
    }
    send(run.from + i);
  }
  return { started, finished: now() };
}
