import { cometError, type CometError } from '../errors';
import type { CometRequest } from '../neutral';
import type { Identity } from '../rules/channel-rules';
import type { AuthorizeAction, AuthorizeContext, EngineSettings } from './settings';

/** What a request asks to do, for {@link checkAccess}. */
export interface AccessAsk {
  /** Canonical names (patterns included) of the channels it subscribes or publishes to. */
  readonly channels: readonly string[];
  readonly request: CometRequest;
  /** The door asking (`poll`, `ws`, `bayeux`, …). */
  readonly transport?: string;
  /** More for `authorize` (a Bayeux session, a message's `ext`, the data of a publish). */
  readonly context?: Partial<Pick<AuthorizeContext, 'session' | 'ext' | 'data'>>;
}

/** Access granted, to this identity (undefined: the request said of no one). */
export interface Granted {
  readonly identity: Identity | undefined;
}

const ANONYMOUS: Granted = Object.freeze({ identity: undefined });
const UNAUTHORIZED = cometError('unauthorized', 'Sign in first: this needs an identity the server recognises.');
const FORBIDDEN: Record<AuthorizeAction, CometError> = {
  subscribe: cometError('forbidden', 'Not allowed to subscribe to these channels.'),
  publish: cometError('forbidden', 'Not allowed to publish to this channel.'),
  handshake: cometError('forbidden', 'Not allowed to open a session.'),
};

/**
 * Who a request is and whether it may act, for every door: the application's `authenticate`
 * (when set), then the channel rules and `authorize` (`settings.authorize` is both). A refusal is
 * `unauthorized` (401) when the request said of no one and `authenticate` is set (signing in may
 * help), else `forbidden` (403). Answers at once when no hook answers later; a hook that throws is
 * a bug and throws (or rejects) through.
 */
export function checkAccess(settings: EngineSettings, action: AuthorizeAction, ask: AccessAsk): Granted | CometError | Promise<Granted | CometError> {
  const { authenticate } = settings;
  if (!authenticate) return judge(settings, action, ask, undefined);
  const who = authenticate(ask.request);
  if (who instanceof Promise) return who.then((identity) => judge(settings, action, ask, checked(identity)));
  return judge(settings, action, ask, checked(who));
}

function judge(settings: EngineSettings, action: AuthorizeAction, ask: AccessAsk, identity: Identity | undefined): Granted | CometError | Promise<Granted | CometError> {
  const verdict = settings.authorize(action, { ...ask.context, channels: ask.channels, request: ask.request, transport: ask.transport, identity });
  if (typeof verdict === 'boolean') return grant(settings, action, verdict, identity);
  return verdict.then((allowed) => grant(settings, action, allowed, identity));
}

function grant(settings: EngineSettings, action: AuthorizeAction, allowed: boolean, identity: Identity | undefined): Granted | CometError {
  if (allowed === true) return identity === undefined ? ANONYMOUS : { identity };
  return identity === undefined && settings.authenticate ? UNAUTHORIZED : FORBIDDEN[action];
}

/** `authenticate`'s answer, held to its contract: an identity with a string `id`, or undefined. */
function checked(identity: Identity | undefined): Identity | undefined {
  if (identity === undefined || identity === null) return undefined;
  if (typeof identity !== 'object' || typeof identity.id !== 'string') {
    throw new TypeError('cometkit: authenticate must return an identity ({ id: string, … }) or undefined');
  }
  return identity;
}
