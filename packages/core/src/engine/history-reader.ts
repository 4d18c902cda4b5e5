import type { Broker } from '../log/broker';
import type { Cursor } from '../log/cursor';
import type { Log } from '../diagnostics';
import { cutRead } from './batch-size';
import type { LogPosition } from './log-position';
import type { CometStats } from './stats';
import type { Subscriber } from './subscriber';

/**
 * Reads a subscriber's history from where it stands, batch by batch, then sends it live. A
 * subscriber already caught up is sent live with no read at all. A read that fails ends the
 * subscriber with `error` (its client retries) and is logged once per outage.
 */
export class HistoryReader {
  /** Whether the last history read failed: the first failure of an outage is an error, the rest debug. */
  private readsFailing = false;
  private readonly readsWork = (): void => {
    if (!this.readsFailing) return;
    this.readsFailing = false;
    this.log.error('history reads work again');
  };

  constructor(
    private readonly broker: Broker,
    private readonly batchLimit: number,
    private readonly maxBatchBytes: number,
    /** Where this process's dispatch stands. */
    private readonly head: LogPosition,
    private readonly stats: CometStats,
    private readonly log: Log,
  ) {}

  /** (Re)starts the history read of `subscriber` from where it stands. */
  read(subscriber: Subscriber): void {
    // Caught up already (a client polling again with the cursor it was just given, or one from
    // a process that is ahead): history holds nothing this process has not dispatched, and
    // whatever comes next reaches the subscriber through the feed it is already in. So no read,
    // no promise: the common long-poll cycle costs no broker round trip.
    if (subscriber.skipReadIfCaughtUp(this.head)) return;
    this.readHistory(subscriber).then(this.readsWork, (error: unknown) => this.failed(subscriber, error));
  }

  private async readHistory(subscriber: Subscriber): Promise<void> {
    const read = subscriber.startRead();
    let cursor: Cursor = subscriber.readFrom();
    for (;;) {
      // A broker reads by count; the bytes of one batch are capped here, and the rest is read next.
      const result = cutRead(await this.broker.read(cursor, subscriber.filter, this.batchLimit), this.maxBatchBytes);
      if (!subscriber.isReading(read)) return;
      subscriber.takeRead(result);
      if (!subscriber.isReading(read) || !result.more) break;
      cursor = result.positions ? { epoch: result.epoch, position: result.position, positions: result.positions } : { epoch: result.epoch, position: result.position };
      const paced = subscriber.handlers.pace?.();
      if (paced) await paced;
      if (!subscriber.isReading(read)) return;
    }
    if (subscriber.isReading(read)) subscriber.goLive();
  }

  private failed(subscriber: Subscriber, error: unknown): void {
    // The client retries (a poll gets 503, a stream ends); the operator should hear of it,
    // once per outage: every held client fails the same way, and retries.
    if (this.readsFailing) this.log.debug('history read failed for a %s subscriber: %O', subscriber.transport, error);
    else this.log.error('history read failed for a %s subscriber (further failures are logged at debug level until a read works): %O', subscriber.transport, error);
    this.readsFailing = true;
    this.stats.brokerErrors++;
    subscriber.end('error');
  }
}
