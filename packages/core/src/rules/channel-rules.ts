import { coverage, segmentsOf } from './pattern-covers';

/** Who a request is, as the application's `authenticate` said: an id, and whatever else it keeps. */
export interface Identity {
  readonly id: string;
  readonly [key: string]: unknown;
}

/**
 * Who may do something on the channels of a template: anyone, any identified request, no one, or
 * a function of the identity (undefined when the request has none) and the template's parameters.
 */
export type Rule =
  | 'everyone'
  | 'identified'
  | 'nobody'
  | ((who: Identity | undefined, params: Readonly<Record<string, string>>) => boolean | Promise<boolean>);

/** A template's rule for both subscribing and publishing, or one for each (what is left out is refused). */
export type ChannelRule = Rule | { readonly subscribe?: Rule; readonly publish?: Rule };

/**
 * Rules by channel template (`'user/:id/**'`, `'chat/*'`, `'public/**'`): `:name` is one segment
 * bound to `name`, `*` one segment, a final `**` one or more.
 */
export type ChannelRules = Readonly<Record<string, ChannelRule>>;

/** What the rules decide: subscribing to a channel or pattern, or publishing to a channel. */
export type RuledAction = 'subscribe' | 'publish';

interface CompiledRule {
  readonly template: readonly string[];
  readonly subscribe: Rule | undefined;
  readonly publish: Rule | undefined;
}

/**
 * Builds the check of a set of rules. A channel or pattern is allowed when some rule whose template
 * covers *every* channel it can match allows it: so `*\/alice` or `**` reach nothing that
 * `private/alice` could not, and a pattern that leaves a template's parameter open (`user/*` for
 * `user/:id`) is allowed only by a rule that does not depend on it (`everyone`, `identified`).
 * What no rule allows is refused; a request is allowed when each of its channels is.
 */
export function compileRules(rules: ChannelRules): (action: RuledAction, channels: readonly string[], who: Identity | undefined) => boolean | Promise<boolean> {
  const compiled: CompiledRule[] = Object.entries(rules).map(([template, rule]) => {
    checkTemplate(template);
    const both = rule === 'everyone' || rule === 'identified' || rule === 'nobody' || typeof rule === 'function';
    if (!both && (typeof rule !== 'object' || rule === null)) throw new TypeError(`cometkit: the rule for "${template}" must be 'everyone', 'identified', 'nobody', a function, or { subscribe, publish }`);
    return {
      template: segmentsOf(template),
      subscribe: both ? rule : checkRule(template, (rule as { subscribe?: unknown }).subscribe),
      publish: both ? rule : checkRule(template, (rule as { publish?: unknown }).publish),
    };
  });
  return (action, channels, who) => {
    const pending: Promise<boolean>[] = [];
    for (const channel of channels) {
      const verdict = allowsChannel(compiled, action, segmentsOf(channel), who);
      if (verdict === false) return false;
      if (verdict !== true) pending.push(verdict);
    }
    return pending.length === 0 ? true : Promise.all(pending).then((all) => all.every(Boolean));
  };
}

/** Whether some covering rule allows the channel; a promise when the answer waits on a function rule. */
function allowsChannel(rules: readonly CompiledRule[], action: RuledAction, channel: readonly string[], who: Identity | undefined): boolean | Promise<boolean> {
  const asked: Promise<boolean>[] = [];
  for (const compiled of rules) {
    const rule = compiled[action];
    if (rule === undefined || rule === 'nobody') continue;
    const covered = coverage(compiled.template, channel);
    if (!covered) continue;
    if (rule === 'everyone') return true;
    if (rule === 'identified') {
      if (who !== undefined) return true;
      continue;
    }
    // A function speaks for the parameters it is given: not for a pattern that leaves one open.
    if (covered.open.length > 0) continue;
    const verdict = rule(who, covered.params);
    if (verdict === true) return true;
    if (verdict instanceof Promise) asked.push(verdict);
  }
  if (asked.length === 0) return false;
  return Promise.all(asked).then((all) => all.some((allowed) => allowed === true));
}

function checkRule(template: string, rule: unknown): Rule | undefined {
  if (rule === undefined || rule === 'everyone' || rule === 'identified' || rule === 'nobody' || typeof rule === 'function') return rule as Rule | undefined;
  throw new TypeError(`cometkit: a rule for "${template}" must be 'everyone', 'identified', 'nobody' or a function`);
}

const TEMPLATE_SEGMENT = /^(?:\*\*?|:[A-Za-z_][A-Za-z0-9_]*|[A-Za-z0-9_.~@:+=,!$%()-]+)$/;

function checkTemplate(template: string): void {
  const segments = segmentsOf(template);
  const bad = segments.findIndex((segment, i) => !TEMPLATE_SEGMENT.test(segment) || (segment === '**' && i !== segments.length - 1));
  if (template === '' || bad >= 0) {
    throw new TypeError(`cometkit: "${template}" is not a channel template (segments of channel characters, :name, *, and a final **)`);
  }
}
