import type { AuthorizeAction, AuthorizeContext } from '../engine/settings';
import type { RuledAction } from './channel-rules';

type Authorize = (action: AuthorizeAction, context: AuthorizeContext) => boolean | Promise<boolean>;
type RulesCheck = (action: RuledAction, channels: readonly string[], who: AuthorizeContext['identity']) => boolean | Promise<boolean>;

/** The `authorize` of a hub configured with neither rules nor `authorize`: everything is allowed. */
const allowEverything = (): boolean => true;

/**
 * The hub's one check: the channel rules (when given) and the application's `authorize` (when
 * given), both of which must allow. Rules speak to subscribing and publishing; a Bayeux handshake
 * is `authorize`'s alone. `authorize` is asked only once the rules allowed, so it never sees what
 * the rules refuse.
 */
export function combineAuthorize(rules: RulesCheck | undefined, authorize: Authorize | undefined): Authorize {
  if (authorize !== undefined && typeof authorize !== 'function') throw new TypeError('cometkit: authorize must be a function');
  if (!rules) return authorize ?? allowEverything;
  return (action, context) => {
    if (action === 'handshake') return authorize ? authorize(action, context) : true;
    const byRules = rules(action, context.channels, context.identity);
    if (byRules === false || !authorize) return byRules;
    if (byRules === true) return authorize(action, context);
    return byRules.then((allowed) => allowed && authorize(action, context));
  };
}
