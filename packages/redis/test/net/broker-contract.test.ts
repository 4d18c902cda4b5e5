import { Redis } from 'ioredis';
import { brokerAudits, type BrokerHarness } from '@cometkit/core/testing';
import { createRedisBroker } from '@cometkit/redis';
import { useRedisServer } from '../support/redis-server';

// The audits every broker passes, on a real redis-server; each broker gets a log of its own (a
// prefix nobody else uses), so every audit starts from an empty log.
const redis = useRedisServer();
let prefixes = 0;

const harness: BrokerHarness = {
  create: (history) => createRedisBroker({ url: redis().url, prefix: `audit${++prefixes}`, ...history }),
  // A flush is what a restart without persistence leaves: a broker made then sees a new log.
  async loseHistory() {
    const admin = new Redis(redis().url);
    await admin.flushall();
    admin.disconnect();
    return createRedisBroker({ url: redis().url, prefix: `audit${prefixes}` });
  },
};

describe('the broker contract on the Redis broker', () => {
  it.each(brokerAudits.map((audit) => [audit.name, audit] as const))('%s', (_name, audit) => audit.run(harness));
});
