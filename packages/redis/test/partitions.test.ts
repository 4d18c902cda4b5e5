import { Redis } from 'ioredis';
import { brokerAudits, type BrokerHarness } from '@cometkit/core/testing';
import { createRedisBroker } from '@cometkit/redis';
import { describeConformance, type BrokerKind } from '../../../test/support/conformance';
import { serverKinds } from '../../../test/support/servers';
import { drivers } from '../../../test/support/transport-drivers';
import { useRedisServer } from './support/redis-server';

// A log of four partitions on one redis-server: the broker contract and every transport, as on
// the one-partition log (the cluster run is in cluster.test.ts).
const redis = useRedisServer();
let prefixes = 0;

const harness: BrokerHarness = {
  create: (history) => createRedisBroker({ url: redis().url, prefix: `parts${++prefixes}`, partitions: 4, ...history }),
  async loseHistory() {
    const admin = new Redis(redis().url);
    await admin.flushall();
    admin.disconnect();
    return createRedisBroker({ url: redis().url, prefix: `parts${prefixes}`, partitions: 4 });
  },
};

describe('the broker contract on a Redis log of four partitions', () => {
  it.each(brokerAudits.map((audit) => [audit.name, audit] as const))('%s', (_name, audit) => audit.run(harness));
});

const partitioned: BrokerKind = {
  name: 'redis, 4 partitions',
  create: (history) => createRedisBroker({ url: redis().url, prefix: `partconf${++prefixes}`, partitions: 4, ...history }),
};

describeConformance({
  kinds: serverKinds.filter((kind) => kind.name === 'withComet'),
  brokers: [partitioned],
  drivers,
});
