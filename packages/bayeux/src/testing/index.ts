/**
 * @cometkit/bayeux/testing: the session store contract as audits any test runner can run, for
 * stores other than the memory one (Redis, yours).
 */
export { sessionStoreAudits } from './session-store-contract';
export type { SessionStoreAudit, SessionStoreHarness } from './session-store-contract';
