#!/usr/bin/env node
// Installs the system programs the test suite needs, with apt-get, when they are missing.
// Runs before the tests (see the root package.json), so a fresh Debian machine needs no manual step.
// The packages' own services are never used: each test starts its program on a free loopback port
// with its own config and temporary directory, and stops it by PID.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Program the tests run → the Debian package that provides it. */
const needs = [
  { path: '/usr/bin/chromium', pkg: 'chromium', why: 'browser tests (playwright-core drives Debian Chromium)' },
  // The light build is enough: it has the proxy module.
  { path: '/usr/sbin/nginx', pkg: 'nginx-light', why: 'the tests behind a real proxy' },
  { path: '/usr/bin/redis-server', pkg: 'redis-server', why: "@cometkit/redis's tests" },
];

const missing = needs.filter((need) => !existsSync(need.path));
if (missing.length === 0) process.exit(0);

for (const need of missing) console.log(`ensure-test-deps: ${need.path} missing, installing ${need.pkg} for ${need.why}`);
if (process.getuid?.() !== 0) {
  console.error(`ensure-test-deps: run as root, or install: apt-get install -y ${missing.map((m) => m.pkg).join(' ')}`);
  process.exit(1);
}
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
// A fresh machine's package lists may be empty or stale: refresh them first.
execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing.map((m) => m.pkg)], { stdio: 'inherit', env });
for (const need of missing) {
  if (!existsSync(need.path)) {
    console.error(`ensure-test-deps: ${need.pkg} installed but ${need.path} is still missing`);
    process.exit(1);
  }
}
