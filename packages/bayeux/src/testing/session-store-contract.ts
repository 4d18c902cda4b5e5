import { deepStrictEqual, ok, strictEqual } from 'node:assert/strict';
import type { BayeuxSession, SessionStore } from '../sessions/session-store';

/** How the contract makes stores of one kind. */
export interface SessionStoreHarness {
  /** A store over a fresh, empty space of sessions. */
  create(): SessionStore | Promise<SessionStore>;
  /**
   * A second store over the same sessions as `store` (another process's view of a shared store).
   * Omit for a store of one process; the audits that need it then are not run.
   */
  another?(store: SessionStore): SessionStore | Promise<SessionStore>;
  /** Frees a store (closes its connections). */
  close?(store: SessionStore): void | Promise<void>;
}

/** One rule every session store must keep. `run` throws (an AssertionError) when it does not. */
export interface SessionStoreAudit {
  readonly name: string;
  /** True when the audit needs `harness.another`. */
  readonly shared?: boolean;
  run(harness: SessionStoreHarness): Promise<void>;
}

let serial = 0;
const session = (fields: Partial<BayeuxSession> = {}): BayeuxSession => ({
  id: `audit${Date.now().toString(36)}${(++serial).toString(36)}${Math.random().toString(36).slice(2)}`,
  subscriptions: [],
  cursor: 'e1-0',
  sent: [],
  batch: 0,
  ack: false,
  expiresAt: Date.now() + 60_000,
  ...fields,
});

async function using(harness: SessionStoreHarness, body: (store: SessionStore) => Promise<void>): Promise<void> {
  const store = await harness.create();
  try {
    await body(store);
  } finally {
    await harness.close?.(store);
  }
}

const sorted = (list: readonly string[] | undefined): string[] => [...(list ?? [])].sort();

/**
 * The session store contract, as audits any store must pass (memory, Redis, one of yours):
 *
 * ```ts
 * for (const audit of sessionStoreAudits) it(audit.name, () => audit.run({ create: () => createMyStore() }));
 * ```
 */
export const sessionStoreAudits: readonly SessionStoreAudit[] = [
  {
    name: 'a created session reads back as the same plain data; an id is created once',
    async run(harness) {
      await using(harness, async (store) => {
        const s = session({ subscriptions: ['a/b', 'a/*'], sent: [{ batch: 3, cursor: 'e1-9' }], batch: 3, ack: true });
        strictEqual(await store.create(s), true);
        const read = await store.get(s.id);
        deepStrictEqual({ ...read, subscriptions: sorted(read?.subscriptions) }, { ...s, subscriptions: sorted(s.subscriptions) });
        deepStrictEqual(JSON.parse(JSON.stringify(read)), read, 'a session is JSON data');
        strictEqual(await store.create({ ...s, cursor: 'e1-1' }), false);
        strictEqual((await store.get(s.id))?.cursor, 'e1-0');
        strictEqual(await store.get('unknown'), undefined);
      });
    },
  },
  {
    name: 'update sets the fields given and keeps the others',
    async run(harness) {
      await using(harness, async (store) => {
        const s = session({ subscriptions: ['x'] });
        await store.create(s);
        const after = await store.update(s.id, { cursor: 'e1-5', sent: [{ batch: 1, cursor: 'e1-5' }], batch: 1 });
        deepStrictEqual(after && { ...after }, { ...s, cursor: 'e1-5', sent: [{ batch: 1, cursor: 'e1-5' }], batch: 1 });
        deepStrictEqual(await store.get(s.id), after);
        strictEqual(await store.update('unknown', { cursor: 'e1-1' }), undefined);
      });
    },
  },
  {
    name: 'subscriptions are a set; a subscribe and an unsubscribe at once both take effect',
    async run(harness) {
      await using(harness, async (store) => {
        const s = session({ subscriptions: ['a', 'b'] });
        await store.create(s);
        deepStrictEqual(sorted((await store.subscribe(s.id, ['b', 'c', 'c']))?.subscriptions), ['a', 'b', 'c']);
        await Promise.all([store.subscribe(s.id, ['d']), store.unsubscribe(s.id, ['a']), store.update(s.id, { cursor: 'e1-2' })]);
        const now = await store.get(s.id);
        deepStrictEqual(sorted(now?.subscriptions), ['b', 'c', 'd']);
        strictEqual(now?.cursor, 'e1-2');
        deepStrictEqual(sorted((await store.unsubscribe(s.id, ['zzz']))?.subscriptions), ['b', 'c', 'd']);
        strictEqual(await store.subscribe('unknown', ['a']), undefined);
        strictEqual(await store.unsubscribe('unknown', ['a']), undefined);
      });
    },
  },
  {
    name: 'a session past its expiresAt is gone for every method, swept or not',
    async run(harness) {
      await using(harness, async (store) => {
        const s = session({ expiresAt: Date.now() - 1 });
        await store.create(s);
        strictEqual(await store.get(s.id), undefined);
        strictEqual(await store.update(s.id, { cursor: 'e1-3' }), undefined);
        strictEqual(await store.subscribe(s.id, ['a']), undefined);
        strictEqual(await store.touch(s.id, Date.now() + 60_000), false);
        strictEqual(await store.get(s.id), undefined);
        strictEqual(await store.delete(s.id), false);
        strictEqual(await store.create({ ...s, expiresAt: Date.now() + 60_000 }), true, 'an expired id is free again');
      });
    },
  },
  {
    name: 'expire(now) removes exactly the sessions due by then and names them',
    async run(harness) {
      await using(harness, async (store) => {
        const base = Date.now() + 60_000;
        const due = session({ expiresAt: base });
        const later = session({ expiresAt: base + 10_000 });
        await store.create(due);
        await store.create(later);
        deepStrictEqual(await store.expire(base - 1), []);
        deepStrictEqual(await store.expire(base), [due.id]);
        strictEqual(await store.get(due.id), undefined);
        ok(await store.get(later.id));
        strictEqual(await store.count(), 1);
      });
    },
  },
  {
    name: 'touch moves expiresAt only; delete removes once',
    async run(harness) {
      await using(harness, async (store) => {
        const s = session({ subscriptions: ['a'] });
        await store.create(s);
        strictEqual(await store.touch(s.id, s.expiresAt + 5_000), true);
        deepStrictEqual(await store.get(s.id), { ...s, expiresAt: s.expiresAt + 5_000 });
        deepStrictEqual(await store.expire(s.expiresAt + 1), [], 'a touched session is not due at its old time');
        strictEqual(await store.delete(s.id), true);
        strictEqual(await store.delete(s.id), false);
        strictEqual(await store.get(s.id), undefined);
        strictEqual(await store.count(), 0);
      });
    },
  },
  {
    name: 'another process sees, changes and ends the same sessions',
    shared: true,
    async run(harness) {
      await using(harness, async (store) => {
        const other = await harness.another!(store);
        try {
          const s = session();
          await store.create(s);
          strictEqual((await other.get(s.id))?.id, s.id);
          await other.subscribe(s.id, ['a']);
          await other.update(s.id, { cursor: 'e1-7' });
          const seen = await store.get(s.id);
          deepStrictEqual([seen?.subscriptions, seen?.cursor], [['a'], 'e1-7']);
          strictEqual(await other.create(s), false);
          await other.delete(s.id);
          strictEqual(await store.get(s.id), undefined);
        } finally {
          await harness.close?.(other);
        }
      });
    },
  },
];
