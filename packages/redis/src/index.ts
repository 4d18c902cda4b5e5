/**
 * @cometkit/redis: a broker whose ordered log lives in Redis, so any number of Node processes (on
 * any number of machines, behind a plain round-robin balancer) serve one hub; and a Bayeux session
 * store, so those processes share Bayeux sessions too.
 */
export { createRedisBroker } from './redis-broker';
export type { RedisBrokerOptions } from './options';
export { createRedisSessionStore } from './redis-session-store';
export type { RedisSessionStore, RedisSessionStoreOptions } from './redis-session-store';
