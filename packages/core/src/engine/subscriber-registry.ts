import { formatCursor } from '../log/cursor';
import { DeadlineQueue } from './deadline-queue';
import type { CometStats } from './stats';
import { Subscriber } from './subscriber';
import type { SubscriberServices } from './subscriber-services';
import type { EndReason, SubscribeSpec } from './types';
import type { Identity } from '../rules/channel-rules';

/**
 * The subscribers held now: registering an admitted one (its group, its abort signal, its
 * lifetime, its first read) and releasing it from all of that and from the counts, however it
 * ends. Releasing comes before its transport hears of the end, so no transport can leak one.
 */
export class SubscriberRegistry {
  private readonly held = new Set<Subscriber>();
  private readonly lifetimes = new DeadlineQueue<Subscriber>((subscriber) => subscriber.expire());
  /** What every subscriber is given: one object, its `release` this registry's. */
  private readonly services: SubscriberServices<Subscriber>;

  constructor(
    services: Omit<SubscriberServices<Subscriber>, 'release'>,
    private readonly stats: CometStats,
  ) {
    this.services = { ...services, release: (subscriber, reason) => this.release(subscriber, reason) };
  }

  /** Registers an admitted subscriber and starts its history read (unless it defers it). */
  register(spec: SubscribeSpec, identity?: Identity): Subscriber {
    const { head } = this.services;
    // "From now" means from this moment, whatever the time the read takes.
    const from = spec.cursor ?? head.cursor();
    const fromText = spec.sentCursor ?? formatCursor(from);
    const subscriber = new Subscriber(spec.transport, spec.channels, from, fromText, spec.lifetime, spec.once ?? false, spec.handlers, identity, this.services);
    this.held.add(subscriber);
    this.stats.connections++;
    this.stats.connectionsByTransport[spec.transport] = (this.stats.connectionsByTransport[spec.transport] ?? 0) + 1;
    if (spec.signal) subscriber.watch(spec.signal);
    if (spec.lifetime.ms > 0) this.lifetimes.add(subscriber, spec.lifetime.ms);
    if (!spec.deferRead) this.services.read(subscriber);
    return subscriber;
  }

  /** The broker's feed skipped entries: every subscriber that has begun reading reads them from history. */
  feedSkipped(): void {
    for (const subscriber of this.held) subscriber.feedSkipped();
  }

  /** Ends every subscriber the way its lifetime would, but with `reason` (what is pending goes out first). */
  expireAll(reason: EndReason): void {
    for (const subscriber of [...this.held]) subscriber.expire(reason);
  }

  /** Ends every subscriber still held, and stops the lifetime timer. */
  endAll(reason: EndReason): void {
    for (const subscriber of [...this.held]) subscriber.end(reason);
    this.lifetimes.clear();
  }

  private release(subscriber: Subscriber, reason: EndReason): void {
    this.lifetimes.delete(subscriber);
    this.services.flushes.forget(subscriber);
    this.held.delete(subscriber);
    this.stats.connections--;
    this.stats.connectionsByTransport[subscriber.transport]!--;
    if (reason === 'timeout') this.stats.timeouts++;
    else if (reason === 'slow') this.stats.slowClientCutoffs++;
  }
}
