import type { CometOptions } from '../index';
import { ConformanceTrial, memoryBroker, type BrokerKind } from './conformance-trial';
import { routeAudits } from './conformance-route-audits';
import { appliesTo, transportAudits } from './conformance-transport-audits';
import type { ServerKind } from './server-kind';
import { drivers as builtinDrivers, type TransportDriver } from './transport-drivers';

/**
 * The transport conformance suite: the behaviour every transport owes its clients, over real
 * sockets, on every server kind (an adapter on each framework major, `withComet`, a proxy in front)
 * and every broker it is given.
 *
 * It ships as a list of self-contained audits rather than as test-runner calls, as the broker
 * contract does: each audit starts its own hub and server and takes them down in a `finally`, and
 * asserts with `node:assert`, so it needs no runner's hooks or `expect` and runs under Jest,
 * Vitest, Mocha or `node:test` alike. {@link describeConformance} registers the audits with a
 * runner's `describe` and `it` (by default the globals Jest and Mocha define).
 *
 * Every section runs on every kind and broker. The per-transport rules run on each driver given
 * (a rule a transport cannot have is named in its driver's `without`); the rules of the HTTP
 * routes (SSE, XHR streaming, script safety, CORS, the per-route endpoint) run with the built-in
 * drivers, which ship with the suite, whatever drivers were given.
 */
export interface ConformanceSetup {
  /** The servers to run on; each must keep the {@link ServerKind} contract (mount, per-route endpoints). */
  kinds: readonly ServerKind[];
  /** The brokers to run on (default: the hub's memory broker). */
  brokers?: readonly BrokerKind[];
  /** The transports whose rules are checked. */
  drivers: readonly TransportDriver[];
  /** The transports 'switches transport mid-session' switches to. Default: the other `drivers`, or the built-in ones when there are none. */
  peers?: readonly TransportDriver[];
  /** Options every hub of the suite gets (a custom transport, say). */
  hubOptions?: CometOptions;
}

/** One test of the suite. `run` throws (an AssertionError) when the rule is broken. */
export interface ConformanceAudit {
  /** The groups it belongs to, outermost first: `conformance on express5 (memory broker)`, then the transport or section. */
  readonly path: readonly string[];
  readonly name: string;
  run(): Promise<void>;
}

/** The functions of a test runner the suite registers its audits with. */
export interface TestRunner {
  describe(name: string, body: () => void): void;
  it(name: string, body: () => Promise<void>): void;
}

/** Refuses, naming it, a setup that would leave sections with nothing to run on. */
function check(setup: ConformanceSetup, brokers: readonly BrokerKind[]): void {
  const missing = [
    setup.kinds.length === 0 && 'a server kind (kinds)',
    brokers.length === 0 && 'a broker (brokers)',
    setup.drivers.length === 0 && 'a transport driver (drivers)',
    setup.peers?.length === 0 && 'a transport to switch to (peers; leave it out for the default)',
  ].filter((what): what is string => typeof what === 'string');
  if (missing.length > 0) throw new Error(`the conformance suite needs at least ${missing.join(', ')}`);
}

/** Every audit of the suite for `setup`: each transport rule on each driver, then each route rule, on every kind and broker. */
export function conformanceAudits(setup: ConformanceSetup): ConformanceAudit[] {
  const { kinds, brokers = [memoryBroker], drivers, hubOptions = {} } = setup;
  check(setup, brokers);
  const audits: ConformanceAudit[] = [];
  for (const kind of kinds) {
    for (const broker of brokers) {
      const place = `conformance on ${kind.name} (${broker.name} broker)`;
      const trial = (body: (trial: ConformanceTrial) => Promise<void>) => async (): Promise<void> => {
        const running = new ConformanceTrial(kind, broker, hubOptions);
        try {
          await body(running);
        } finally {
          await running.close();
        }
      };
      for (const driver of drivers) {
        const others = (setup.peers ?? drivers).filter((d) => d !== driver);
        const peers = others.length > 0 ? others : builtinDrivers.filter((d) => d.name !== driver.name);
        for (const audit of transportAudits.filter((a) => appliesTo(a, driver))) {
          audits.push({ path: [place, driver.label ?? driver.name], name: audit.name, run: trial((t) => audit.run(t, { driver, peers })) });
        }
      }
      for (const audit of routeAudits) audits.push({ path: [place, audit.section], name: audit.name, run: trial((t) => audit.run(t)) });
    }
  }
  return audits;
}

/** The runner whose globals define `describe` and `it` (Jest, Mocha, Vitest with globals). */
function globalRunner(): TestRunner {
  const scope = globalThis as Partial<TestRunner>;
  if (typeof scope.describe !== 'function' || typeof scope.it !== 'function') {
    throw new Error("describeConformance found no global describe and it: pass your runner's, or run conformanceAudits yourself");
  }
  return { describe: scope.describe, it: scope.it };
}

/** Registers `audits` with `runner`, one `describe` per group of their paths from `depth` on. */
function register(runner: TestRunner, audits: readonly ConformanceAudit[], depth: number): void {
  const groups = new Map<string, ConformanceAudit[]>();
  for (const audit of audits) {
    const group = audit.path[depth];
    if (group === undefined) runner.it(audit.name, () => audit.run());
    else groups.set(group, [...(groups.get(group) ?? []), audit]);
  }
  for (const [group, inner] of groups) runner.describe(group, () => register(runner, inner, depth + 1));
}

/**
 * Registers the whole suite for `setup` with a test runner: `describe` per kind and broker, then
 * per transport or section, and `it` per audit. Call it at the top level of a test file.
 */
export function describeConformance(setup: ConformanceSetup, runner: TestRunner = globalRunner()): void {
  register(runner, conformanceAudits(setup), 0);
}

export { memoryBroker, type BrokerKind };
