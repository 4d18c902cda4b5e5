import { isPlainObject, type BayeuxMessage } from './message';
import type { BayeuxExtension, ExtensionContext } from './options';

/**
 * A message through every extension's `incoming` (a message that arrived) or `outgoing` (a reply
 * or delivery) in order. An `incoming` that sets `error` rejects the message: the extensions
 * after it do not see it.
 */
export async function runExtensions(
  extensions: readonly BayeuxExtension[],
  direction: 'incoming' | 'outgoing',
  message: BayeuxMessage,
  context: ExtensionContext,
): Promise<BayeuxMessage> {
  let current = message;
  for (const extension of extensions) {
    const step = extension[direction];
    if (!step) continue;
    current = await step.call(extension, current, context);
    if (!isPlainObject(current)) throw new TypeError(`A Bayeux extension's ${direction}() must return the message.`);
    if (direction === 'incoming' && typeof current.error === 'string') break;
  }
  return current;
}
