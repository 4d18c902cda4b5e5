import { createMemorySessionStore } from '@cometkit/bayeux';
import { sessionStoreAudits } from '@cometkit/bayeux/testing';

describe('the memory session store keeps the store contract', () => {
  // One process's store: "another process" is a second handle on the same store.
  for (const audit of sessionStoreAudits) it(audit.name, () => audit.run({ create: () => createMemorySessionStore(), another: (store) => store }));
});
