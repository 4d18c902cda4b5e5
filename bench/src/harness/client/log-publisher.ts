/**
 * A log publisher process (the Redis log throughput figure): one Redis broker, as a cometkit
 * server process has, publishing straight into the shared log with `inFlight` publishes
 * outstanding at any time, for `durationMs`. No hub and no HTTP: what one Redis takes into the log.
 */
import { createRedisBroker } from '@cometkit/redis';
import { cpuMicros, now, serveIpc } from '../ipc';

export interface LogRun {
  url: string;
  prefix: string;
  inFlight: number;
  durationMs: number;
  /** When to start (the shared clock of `now()`), so every publisher process starts together. */
  startAt: number;
}

serveIpc({
  cpu: cpuMicros,
  async run(args: LogRun) {
    const broker = await createRedisBroker({ url: args.url, prefix: args.prefix });
    try {
      // One publish first: the script is loaded and the connection warm before the clock runs.
      await broker.publish('bench/log', ['bench', 'log'], '{"seq":0}');
      const wait = args.startAt - now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      const started = now();
      const deadline = started + args.durationMs;
      let published = 0;
      let errors = 0;
      const lane = async (): Promise<void> => {
        while (now() < deadline) {
          await broker.publish('bench/log', ['bench', 'log'], `{"seq":${published + errors}}`).then(
            () => published++,
            () => errors++,
          );
        }
      };
      await Promise.all(Array.from({ length: args.inFlight }, lane));
      return { published, errors, started, finished: now() };
    } finally {
      await broker.close();
    }
  },
});
