import { matchesPattern } from '@cometkit/protocol';
import { safely } from './emitter';
import type { CometMessage, MessageHandler } from './types';

/** The app's handlers by channel or pattern; the set of names is what the connection asks for. */
export class Subscriptions {
  private readonly byName = new Map<string, Set<MessageHandler>>();

  /** Adds a handler; true when `name` is new (the connection must ask for it). */
  add(name: string, handler: MessageHandler): boolean {
    const handlers = this.byName.get(name);
    if (handlers) return void handlers.add(handler), false;
    this.byName.set(name, new Set([handler]));
    return true;
  }

  /** Removes a handler; true when `name` has none left (the connection can stop asking for it). */
  remove(name: string, handler: MessageHandler): boolean {
    const handlers = this.byName.get(name);
    if (!handlers?.delete(handler) || handlers.size > 0) return false;
    return this.byName.delete(name);
  }

  /** Every subscribed channel and pattern. */
  names(): string[] {
    return [...this.byName.keys()];
  }

  /** Hands a message to every handler whose channel or pattern matches it. */
  deliver(message: CometMessage): void {
    const channel = message.channel.split('/');
    for (const [name, handlers] of [...this.byName]) {
      if (!matchesPattern(name.split('/'), channel)) continue;
      // A handler removed by an earlier one during this delivery is not called.
      for (const handler of [...handlers]) if (handlers.has(handler)) safely(handler, message.data, message);
    }
  }
}
