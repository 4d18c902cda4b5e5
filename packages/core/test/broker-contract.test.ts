import { createMemoryBroker } from '@cometkit/core';
import { brokerAudits, type BrokerHarness } from '@cometkit/core/testing';

// Every broker runs the same audits (packages/redis runs them on a real redis-server).
const memory: BrokerHarness = {
  create: (history) => createMemoryBroker(history),
  // A memory log loses its history when its process restarts: a new broker is a new log.
  loseHistory: () => createMemoryBroker(),
};

describe('the broker contract on the memory broker', () => {
  it.each(brokerAudits.map((audit) => [audit.name, audit] as const))('%s', (_name, audit) => audit.run(memory));
});
