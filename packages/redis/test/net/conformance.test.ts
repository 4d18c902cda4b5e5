import { createRedisBroker } from '@cometkit/redis';
import { describeConformance, type BrokerKind, drivers } from '@cometkit/core/testing';
import { serverKinds } from '../support/server-kinds';
import { useRedisServer } from '../support/redis-server';

// Every built-in transport on the Redis broker: one adapter of each kind (Express 5, Koa 3) and the
// withComet fast path; the other majors differ in the adapter only, which the memory run covers.
const redis = useRedisServer();
let logs = 0;

const redisBroker: BrokerKind = {
  name: 'redis',
  create: (history) => createRedisBroker({ url: redis().url, prefix: `conformance${++logs}`, ...history }),
};

describeConformance({
  kinds: serverKinds.filter((kind) => ['express5', 'koa3', 'withComet'].includes(kind.name)),
  brokers: [redisBroker],
  drivers,
});
