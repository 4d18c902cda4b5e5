import http from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { createComet, isCometError, withComet, type CometHub, type CometOptions } from '@cometkit/core';
import { createRedisBroker, type RedisBrokerOptions } from '@cometkit/redis';
import { listen, type RunningServer, messagesOf, type Frame, type TransportDriver } from '@cometkit/core/testing';

/** What a client saw while following a channel through faults. */
export interface Followed {
  messages: Frame[];
  frames: Frame[];
  /** The HTTP status of every request it made. */
  statuses: number[];
}

/**
 * Follows `channel` from `cursor` as a real client does through an outage: a refused request
 * (503) keeps its cursor and is tried again shortly (Retry-After, shortened for the test), an ended
 * response resumes from the newest cursor it carried, until `count` messages came.
 */
export async function follow(driver: TransportDriver, mount: string, channel: string, cursor: string, count: number, timeoutMs = 30_000): Promise<Followed> {
  const frames: Frame[] = [];
  const statuses: number[] = [];
  const deadline = Date.now() + timeoutMs;
  while (messagesOf(frames).length < count) {
    if (Date.now() > deadline) throw new Error(`followed ${channel} on ${driver.name}: ${messagesOf(frames).length} of ${count} (statuses ${statuses.join(',')}; frames ${JSON.stringify(frames).slice(-600)})`);
    const connection = await driver.connect(mount, `channel=${channel}&cursor=${cursor}`);
    statuses.push(connection.status);
    const enough = (seen: Frame[]): boolean => messagesOf(frames).length + messagesOf(seen).length >= count;
    if (connection.status === 200) await Promise.race([connection.ended, connection.waitFor(enough, deadline - Date.now()).catch(() => undefined)]);
    connection.close();
    await connection.ended;
    frames.push(...connection.frames);
    cursor = connection.cursor() ?? cursor;
    if (connection.status !== 200) await delay(25);
  }
  return { messages: messagesOf(frames), frames, statuses };
}

/** Publishes as an app retrying on `unavailable` does; resolves with the cursor once acknowledged. */
export async function publishRetrying(hub: CometHub, channel: string, data: unknown, attempts = 400): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await hub.publish(channel, data)).cursor;
    } catch (error) {
      if (!isCometError(error) || error.code !== 'unavailable' || attempt >= attempts) throw error;
      await delay(25);
    }
  }
}

/** A hub on a Redis broker, served by withComet on 127.0.0.1 (HTTP publish on). */
export interface RedisHub {
  hub: CometHub;
  server: RunningServer;
  /** What the hub and broker reported as errors (a failing Redis is reported, not thrown). */
  errors: string[];
  close(): Promise<void>;
}

export async function startRedisHub(broker: RedisBrokerOptions, options: CometOptions = {}): Promise<RedisHub> {
  const errors: string[] = [];
  const logger = { error: (message: string) => void errors.push(message) };
  const made = await createRedisBroker({ commandTimeoutMs: 300, connectTimeoutMs: 300, logger, ...broker });
  const hub = createComet({ broker: made, httpPublish: true, longPollTimeoutMs: 1_000, logger, ...options });
  const server = await listen(
    http.createServer(
      withComet(hub, '/comet', (_req, res) => {
        res.statusCode = 404;
        res.end();
      }),
    ),
  );
  return {
    hub,
    server,
    errors,
    async close() {
      await hub.close();
      await server.close();
      await made.close();
    },
  };
}
