#!/usr/bin/env node
// Installs the system programs the test suite needs, with apt-get, when they are missing.
// Runs before the tests (see the root package.json), so a fresh Debian machine needs no manual step.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { ensureNginx } from './ensure-nginx.mjs';
import { ensureRedis } from './ensure-redis.mjs';

// nginx for the behind-a-proxy tests: its own script, which the proxy test support calls too.
// redis-server for @cometkit/redis's tests: the same shape, its own script.
try {
  ensureNginx();
  ensureRedis();
} catch (error) {
  console.error(error.message);
  process.exit(1);
}

/** Program the tests run → the Debian package that provides it. */
const needs = [
  { path: '/usr/bin/chromium', pkg: 'chromium', why: 'browser tests (playwright-core drives Debian Chromium)' },
];

const missing = needs.filter((need) => !existsSync(need.path));
if (missing.length === 0) process.exit(0);

for (const need of missing) console.log(`ensure-test-deps: ${need.path} missing, installing ${need.pkg} for ${need.why}`);
if (process.getuid?.() !== 0) {
  console.error(`ensure-test-deps: run as root, or install: apt-get install -y ${missing.map((m) => m.pkg).join(' ')}`);
  process.exit(1);
}
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((m) => m.pkg)], { stdio: 'inherit', env });
for (const need of missing) {
  if (!existsSync(need.path)) {
    console.error(`ensure-test-deps: ${need.pkg} installed but ${need.path} is still missing`);
    process.exit(1);
  }
}
