import type { CometClient } from '../client-api';
import { Subscriptions } from '../subscriptions';
import type { ClientEvents, ClientOptions, CometMessage } from '../types';
import { SHARED_EVENTS, type Note } from './notes';

/** Builds a client with its own connection, delivering into `subscriptions`. */
export type Connect = (options: ClientOptions, subscriptions: Subscriptions) => CometClient;

/** What a tab asks of the leader it became. */
export interface LeaderTab {
  options: ClientOptions;
  /** The shared cursor: where the last leader's connection stood, as far as this tab heard. */
  cursor: string | undefined;
  /** Every channel of every tab (its own included). */
  names(): string[];
  /** Tells the other tabs. */
  post(note: Note): void;
  /** Delivers in this tab what the connection delivered (messages, events). */
  message(message: CometMessage): void;
  event(name: keyof ClientEvents, value: unknown): void;
}

/** The connection a leader holds for every tab; `refresh()` after the union of channels changed. */
export interface Leader {
  readonly connection: CometClient;
  refresh(): void;
  sync(): void;
}

/** A Subscriptions that hands each delivered message, once, to `tap`, whatever names match it. */
class Tap extends Subscriptions {
  constructor(private readonly tap: (message: CometMessage) => void) {
    super();
  }
  override deliver(message: CometMessage): void {
    this.tap(message);
  }
}

const ignore = (): void => {};

/**
 * Opens the shared connection from the shared cursor, for the union of the tabs' channels, and
 * passes on everything it delivers: each message, then (once the batch is done, so the cursor is
 * past every message sent) where the connection stands.
 */
export function lead(tab: LeaderTab, connect: Connect): Leader {
  const tap = new Tap((message) => {
    tab.post({ t: 'msg', m: message });
    tab.message(message);
  });
  const connection = connect(Object.assign({}, tab.options, { share: false, cursor: tab.cursor }), tap);
  const unsubscribe = new Map<string, () => void>();
  const sync = (): void => tab.post({ t: 'sync', c: connection.cursor, s: connection.state, tr: connection.transport });
  for (const name of SHARED_EVENTS) {
    connection.on(name, (value) => {
      if (connection.state === 'closed') return;
      tab.post({ t: 'ev', n: name, v: value });
      tab.event(name, value);
      void Promise.resolve().then(sync);
    });
  }
  const leader: Leader = {
    connection,
    sync,
    refresh() {
      const names = tab.names();
      for (const [name, off] of unsubscribe) if (!names.includes(name)) off(), unsubscribe.delete(name);
      for (const name of names) if (!unsubscribe.has(name)) unsubscribe.set(name, connection.subscribe(name, ignore));
    },
  };
  leader.refresh();
  tab.post({ t: 'hello' });
  return leader;
}
