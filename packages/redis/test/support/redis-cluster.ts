import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import { freePort } from '@cometkit/core/testing';
import { startRedis, type RedisServer } from './redis-server';

const run = promisify(execFile);
/** Debian's redis-cli, installed with redis-server. */
export const REDIS_CLI = '/usr/bin/redis-cli';

/** A Redis Cluster of the test's own: three masters on loopback, no replicas. */
export interface RedisCluster {
  /** Its masters, in the order they were started. */
  readonly masters: readonly RedisServer[];
  /** `host:port` of every master: the startup nodes for ioredis. */
  readonly nodes: readonly string[];
  /** Stops every master by PID and removes their directories. */
  dispose(): Promise<void>;
}

/** Resolves once every node reports `cluster_state:ok` (bounded: 200 checks, 50 ms apart). */
async function untilClusterOk(servers: readonly RedisServer[]): Promise<void> {
  const clients = servers.map((server) => new Redis(server.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0 }));
  try {
    for (let attempt = 0; attempt < 200; attempt++) {
      const infos = await Promise.all(clients.map((client) => client.cluster('INFO').catch(() => '')));
      if (infos.every((info) => String(info).includes('cluster_state:ok'))) return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('the Redis Cluster never reached cluster_state:ok');
  } finally {
    for (const client of clients) client.disconnect();
  }
}

/**
 * Starts three `redis-server --cluster-enabled yes` (each on a free port, its cluster bus on
 * another, in its own temporary directory), joins them with `redis-cli --cluster create`, and
 * waits for `cluster_state:ok`. The masters keep serving their slots when one of them is down
 * (`cluster-require-full-coverage no`), which the partition tests rely on.
 */
export async function startRedisCluster(): Promise<RedisCluster> {
  const masters: RedisServer[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const bus = await freePort();
      masters.push(
        await startRedis({
          port,
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(bus), '--cluster-node-timeout', '1000', '--cluster-require-full-coverage', 'no'],
        }),
      );
    }
    const nodes = masters.map((m) => `127.0.0.1:${m.port}`);
    await run(REDIS_CLI, ['--cluster', 'create', ...nodes, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    await untilClusterOk(masters);
    return {
      masters,
      nodes,
      async dispose() {
        await Promise.all(masters.map((m) => m.dispose()));
      },
    };
  } catch (error) {
    await Promise.all(masters.map((m) => m.dispose()));
    throw error;
  }
}

/** A Redis Cluster for the whole test file: started before its tests, disposed of after them. */
export function useRedisCluster(): () => RedisCluster {
  let cluster: RedisCluster | undefined;
  beforeAll(async () => {
    cluster = await startRedisCluster();
  }, 60_000);
  afterAll(() => cluster?.dispose());
  return () => cluster!;
}
