#!/usr/bin/env node
// Installs Debian's nginx (the light build is enough: it has the proxy module) when it is missing,
// for the tests that run cometkit behind a real proxy. Called by ensure-test-deps.mjs before the
// suite, and usable alone: `node scripts/ensure-nginx.mjs`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** Where Debian's nginx packages put the binary. */
export const NGINX_PATH = '/usr/sbin/nginx';

/** Installs nginx-light with apt-get unless the binary is there; throws when it cannot. */
export function ensureNginx() {
  if (existsSync(NGINX_PATH)) return;
  console.log(`ensure-nginx: ${NGINX_PATH} missing, installing nginx-light for the behind-a-proxy tests`);
  if (process.getuid?.() !== 0) throw new Error('ensure-nginx: run as root, or install: apt-get install -y nginx-light');
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
  // The package's own service is not wanted: the tests start nginx with their own config and prefix.
  execFileSync('apt-get', ['install', '-y', '-qq', '--no-install-recommends', 'nginx-light'], { stdio: 'inherit', env });
  if (!existsSync(NGINX_PATH)) throw new Error(`ensure-nginx: nginx-light installed but ${NGINX_PATH} is still missing`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    ensureNginx();
  } catch (error) {
    console.error(error.message);
    process.exit(1);
  }
}
