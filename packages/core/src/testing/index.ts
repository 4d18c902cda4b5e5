/**
 * @cometkit/core/testing: the contracts cometkit's parts are held to, as code any test runner can
 * run. A broker of your own passes {@link brokerAudits} before the engine can rely on it.
 */
export { brokerAudits } from './broker-contract';
export type { BrokerAudit, BrokerHarness } from './broker-contract';
