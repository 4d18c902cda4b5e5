#!/usr/bin/env node
// Installs Debian's redis-server when it is missing, for @cometkit/redis's tests (each test starts
// its own redis-server on a free loopback port; the package's own service is not used). Called by
// ensure-test-deps.mjs before the suite, and usable alone: `node scripts/ensure-redis.mjs`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's redis-server package puts the binary. */
export const REDIS_SERVER_PATH = '/usr/bin/redis-server';

/** Installs redis-server with apt-get unless the binary is there; throws when it cannot. */
export function ensureRedis() {
  if (existsSync(REDIS_SERVER_PATH)) return;
  console.log(`ensure-redis: ${REDIS_SERVER_PATH} missing, installing redis-server for the @cometkit/redis tests`);
  if (process.getuid?.() !== 0) throw new Error('ensure-redis: run as root, or install: apt-get install -y redis-server');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'redis-server'], { stdio: 'inherit', env });
  try {
    install();
  } catch {
    // A fresh machine's package lists may be empty or stale: refresh them once, then retry.
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    install();
  }
  if (!existsSync(REDIS_SERVER_PATH)) throw new Error(`ensure-redis: redis-server installed but ${REDIS_SERVER_PATH} is still missing`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensureRedis();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
