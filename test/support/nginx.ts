import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { freePort, type RunningServer } from '@cometkit/core/testing';

/** Debian's nginx; scripts/ensure-test-deps.mjs installs it before the suite. */
export const NGINX = '/usr/sbin/nginx';


/**
 * The config a user writes first: one `location /` passing everything on, nginx's defaults for
 * everything else (buffering on, `proxy_read_timeout` 60 s, HTTP/1.0 to the upstream). Only the
 * paths are ours, so the test runs without touching /etc/nginx or /var/log.
 */
function config(dir: string, port: number, upstream: string): string {
  const root = process.getuid?.() === 0 ? 'user root;\n' : '';
  return `${root}daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/client-body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass ${upstream};
    }
  }
}
`;
}

/** Resolves once something accepts connections on `port`; rejects after `timeoutMs`. */
async function accepting(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`nginx exited with ${child.exitCode}`);
    const ok = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => (socket.destroy(), resolve(true)));
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Puts a real nginx in front of `running`: its own config, prefix and pid file in a temporary
 * directory, listening on a free 127.0.0.1 port. The result's `origin` and `mount` point at nginx;
 * its `close()` stops nginx by its PID (and waits for it to exit), then closes `running`.
 */
export async function startBehindNginx(running: RunningServer): Promise<RunningServer> {
  if (!existsSync(NGINX)) throw new Error(`${NGINX} is missing: run node scripts/ensure-test-deps.mjs (as root)`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'cometkit-nginx-'));
  await chmod(dir, 0o755);
  const port = await freePort();
  await writeFile(path.join(dir, 'nginx.conf'), config(dir, port, running.origin));
  const child = spawn(NGINX, ['-p', dir, '-c', path.join(dir, 'nginx.conf'), '-e', path.join(dir, 'error.log')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async (): Promise<void> => {
    // The pid file names the master; the child we spawned is the same process (daemon off).
    const pid = Number((await readFile(path.join(dir, 'nginx.pid'), 'utf8').catch(() => String(child.pid))).trim());
    if (child.exitCode === null && Number.isInteger(pid)) {
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // Already gone.
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await accepting(port, child, 10_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${stderr}`);
  }
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    mount: origin + new URL(running.mount).pathname,
    server: running.server,
    close: async () => {
      await stop();
      await running.close();
    },
  };
}
