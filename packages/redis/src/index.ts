/**
 * @cometkit/redis: a broker whose ordered log lives in Redis, so any number of Node processes (on
 * any number of machines, behind a plain round-robin balancer) serve one hub.
 */
export { createRedisBroker } from './redis-broker';
export type { RedisBrokerOptions } from './options';
