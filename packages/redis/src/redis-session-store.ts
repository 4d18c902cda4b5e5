import type { BayeuxSession, SessionPatch, SessionStore } from '@cometkit/bayeux';
import { cometError, type CometError, type CometLogger } from '@cometkit/core';
import { createLog } from '@cometkit/core/kit';
import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { connectionOptions } from './connection';
import { sessionScripts } from './session-scripts';

/** Options of {@link createRedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /** `redis://[user:password@]host:port[/db]`. Default `redis://127.0.0.1:6379`. Ignored with `connection`. */
  url?: string;
  /**
   * An ioredis connection (a `Redis` or a `Cluster`) to use instead of making one. The store
   * does not close it, and its own timeouts apply: give it a `commandTimeout`.
   */
  connection?: Redis | Cluster;
  /** More ioredis options for the connection the store makes (TLS, a password). */
  redis?: RedisOptions;
  /** Names the sessions' keys (`{prefix}:session:{id}`, …): stores with the same prefix share sessions. Default `cometkit`. */
  prefix?: string;
  /** Longest any Redis command may take before it fails (the request then gets a 503). Default 2,000. */
  commandTimeoutMs?: number;
  /** Longest a connection attempt may take. Default 5,000. */
  connectTimeoutMs?: number;
  /**
   * How long after its `expiresAt` Redis drops a session's keys by itself, should no process
   * sweep it (every process down). Default 60,000.
   */
  graceMs?: number;
  /** Where diagnostics go (`cometkit:redis-sessions`); as the hub's `logger` option. */
  logger?: CometLogger;
}

/** A {@link SessionStore} in Redis; `close()` ends the connection it made. */
export interface RedisSessionStore extends SessionStore {
  close(): Promise<void>;
}

/** What the read script answers: cursor, sent (JSON), batch, ack, expiresAt, subscriptions. */
type Stored = [string, string, string, string, string, string[]];

/** Ids the store takes: what `newClientId` makes, and nothing that could change a key's hash tag. */
const ID = /^[A-Za-z0-9_-]{1,128}$/;
/** Most ids one sweep step looks at. */
const SWEEP_BATCH = 500;

const unavailable = (): CometError => cometError('unavailable', 'The session store (Redis) is unavailable; retry.');

/**
 * Bayeux sessions in Redis, so a handshake on one process, a subscribe on a second and a connect
 * on a third form one session. Each operation is one Lua script over the session's two keys (a
 * hash and the set of its subscriptions, under one hash tag: it works on Redis Cluster); a sorted
 * set of expiry times serves `expire(now)`. A failing Redis makes every method reject with a
 * `CometError` `unavailable` (the Bayeux request gets a 503, the client retries).
 *
 * ```ts
 * const bayeux = createBayeux(hub, { sessions: await createRedisSessionStore({ url: process.env.REDIS_URL }) });
 * ```
 */
export async function createRedisSessionStore(options: RedisSessionStoreOptions = {}): Promise<RedisSessionStore> {
  const prefix = options.prefix ?? 'cometkit';
  if (typeof prefix !== 'string' || prefix === '' || /[{}\s]/.test(prefix)) {
    throw new TypeError('@cometkit/redis: prefix must be a non-empty string without braces or spaces');
  }
  const grace = options.graceMs ?? 60_000;
  const log = createLog('redis-sessions', options.logger);
  const owned = options.connection === undefined;
  const redis: Redis | Cluster =
    options.connection ??
    new Redis(options.url ?? 'redis://127.0.0.1:6379', {
      ...connectionOptions({ redis: options.redis ?? {}, commandTimeoutMs: options.commandTimeoutMs ?? 2_000, connectTimeoutMs: options.connectTimeoutMs ?? 5_000 }),
      enableOfflineQueue: false,
      connectionName: 'cometkit:sessions',
    });
  if (owned) {
    redis.on('error', (error: Error) => log.debug('session store connection: %s', error.message));
    try {
      await (redis as Redis).connect();
    } catch (error) {
      redis.disconnect();
      log.debug('could not connect to Redis: %s', (error as Error).message);
      throw unavailable();
    }
  }
  const index = `${prefix}:{sessions}:expiry`;
  const keysOf = (id: string): [string, string] => [`${prefix}:session:{${id}}`, `${prefix}:subscriptions:{${id}}`];

  async function call<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      log.debug('%s failed: %s', what, (error as Error).message);
      throw unavailable();
    }
  }

  const fromStored = (id: string, stored: Stored | null): BayeuxSession | undefined =>
    stored === null
      ? undefined
      : {
          id,
          subscriptions: stored[5],
          cursor: stored[0],
          sent: JSON.parse(stored[1]) as BayeuxSession['sent'],
          batch: Number(stored[2]),
          ack: stored[3] === '1',
          expiresAt: Number(stored[4]),
        };

  /** Runs a script that answers the session, on an id that can be a session's. */
  async function session(what: string, id: string, run: (keys: [string, string]) => Promise<unknown>): Promise<BayeuxSession | undefined> {
    if (!ID.test(id)) return undefined;
    return fromStored(id, (await call(what, () => run(keysOf(id)))) as Stored | null);
  }

  async function update(id: string, patch: SessionPatch): Promise<BayeuxSession | undefined> {
    const fields: (string | number)[] = [];
    if (patch.cursor !== undefined) fields.push('c', patch.cursor);
    if (patch.sent !== undefined) fields.push('s', JSON.stringify(patch.sent));
    if (patch.batch !== undefined) fields.push('b', patch.batch);
    if (patch.expiresAt !== undefined) fields.push('e', patch.expiresAt);
    const after = await session('update', id, (keys) => sessionScripts.update(redis, keys, [Date.now(), grace, ...fields]));
    // The index follows (XX: never brings back a session deleted meanwhile); the sweep corrects it if this fails.
    if (after && patch.expiresAt !== undefined) await call('index', () => redis.zadd(index, 'XX', patch.expiresAt!, id));
    return after;
  }

  function subscriptions(id: string, change: 'add' | 'remove', channels: readonly string[]): Promise<BayeuxSession | undefined> {
    if (channels.length === 0) return session('get', id, (keys) => sessionScripts.get(redis, keys, [Date.now(), grace]));
    return session(change, id, (keys) => sessionScripts.subscriptions(redis, keys, [Date.now(), grace, change, ...channels]));
  }

  return {
    async create(s) {
      if (!ID.test(s.id)) return false;
      const args = [Date.now(), grace, s.cursor, JSON.stringify(s.sent), s.batch, s.ack ? 1 : 0, s.expiresAt, ...new Set(s.subscriptions)];
      const created = (await call('create', () => sessionScripts.create(redis, keysOf(s.id), args))) === 1;
      if (created) await call('index', () => redis.zadd(index, s.expiresAt, s.id));
      return created;
    },
    get: (id) => session('get', id, (keys) => sessionScripts.get(redis, keys, [Date.now(), grace])),
    update,
    subscribe: (id, channels) => subscriptions(id, 'add', channels),
    unsubscribe: (id, channels) => subscriptions(id, 'remove', channels),
    async touch(id, expiresAt) {
      return (await update(id, { expiresAt })) !== undefined;
    },
    async delete(id) {
      if (!ID.test(id)) return false;
      const [removed] = await call('delete', () => Promise.all([sessionScripts.delete(redis, keysOf(id), [Date.now(), grace]), redis.zrem(index, id)]));
      return removed === 1;
    },
    async expire(now) {
      const gone: string[] = [];
      for (;;) {
        const due = await call('expire', () => redis.zrangebyscore(index, '-inf', now, 'LIMIT', 0, SWEEP_BATCH));
        if (due.length === 0) return gone;
        await Promise.all(
          due.map(async (id) => {
            const answer = await call('expire', () => sessionScripts.sweep(redis, keysOf(id), [now, grace]));
            if (answer !== -1) {
              await call('index', () => redis.zadd(index, 'XX', Number(answer), id));
              return;
            }
            // Of several processes sweeping at once, the one that takes it off the index names it.
            if ((await call('expire', () => redis.zrem(index, id))) === 1) gone.push(id);
          }),
        );
        if (due.length < SWEEP_BATCH) return gone;
      }
    },
    count: () => call('count', () => redis.zcard(index)),
    async close() {
      if (owned) redis.disconnect();
    },
  };
}
