import type net from 'node:net';
import type { CometHub } from '@cometkit/core';
import type { Connection, Frame, RunningServer, TransportDriver } from '@cometkit/core/testing';
import type { Random } from './prng';

/** What a client saw over a run of forced drops. */
export interface DropFigures {
  drops: number;
  published: number;
  received: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  unsignalledGaps: number;
  signalledGaps: number;
}

/** Checks each message a client receives, in the order it receives them. */
class Ledger {
  readonly seen = new Set<number>();
  private newest = -1;
  duplicated = 0;
  outOfOrder = 0;
  unsignalledGaps = 0;
  signalledGaps = 0;
  received = 0;

  take(frames: readonly Frame[]): void {
    let gapSignalled = false;
    for (const frame of frames) {
      if (frame.type === 'gap') {
        this.signalledGaps++;
        gapSignalled = true;
      }
      if (frame.type !== 'message') continue;
      const value = frame.data as number;
      this.received++;
      if (this.seen.has(value)) this.duplicated++;
      else if (value < this.newest) this.outOfOrder++;
      else if (value > this.newest + 1 && !gapSignalled) this.unsignalledGaps++;
      this.seen.add(value);
      this.newest = Math.max(this.newest, value);
      gapSignalled = false;
    }
  }

  get newestValue(): number {
    return this.newest;
  }
}

const delay = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const lastCursor = (frames: readonly Frame[]): string | undefined => [...frames].reverse().find((f) => f.cursor)?.cursor;

/**
 * One client on `driver` is cut `drops` times at random moments, by itself (abort) or by the server
 * (its socket destroyed), while a publisher publishes 0, 1, 2… on one channel at a random pace.
 * After each cut it resumes from the last cursor it received. Loops are bounded by count and by
 * `timeLimitMs`.
 */
export async function forcedDrops(options: {
  hub: CometHub;
  server: RunningServer;
  driver: TransportDriver;
  drops: number;
  random: Random;
  timeLimitMs: number;
}): Promise<DropFigures> {
  const { hub, server, driver, drops, random } = options;
  const deadline = Date.now() + options.timeLimitMs;
  const channel = `drops/${driver.name}`;
  const sockets = new Set<net.Socket>();
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  };
  server.server.on('connection', track);

  // Taken before the publisher starts: message 0 comes after it.
  let cursor = (await hub.publish('drops/start', driver.name)).cursor;
  let published = 0;
  let stop = false;
  const maxMessages = drops * 30;
  const publisher = (async () => {
    while (!stop && published < maxMessages && Date.now() < deadline) {
      await hub.publish(channel, published++);
      const pace = random();
      if (pace < 0.4) await new Promise((r) => setImmediate(r));
      else if (pace < 0.5) await delay(random() * 3);
    }
  })();

  const ledger = new Ledger();
  let cut = 0;
  const query = (): string => `channel=${channel}&cursor=${cursor}`;
  const cutServerSide = (): void => {
    for (const socket of sockets) socket.destroy();
  };
  const settle = (connection: Connection | undefined, frames: readonly Frame[] | undefined): void => {
    const got = frames ?? connection?.frames ?? [];
    ledger.take(got);
    cursor = lastCursor(got) ?? cursor;
  };
  // A poll's driver resolves only with its answer, so a held poll is cut from the server side at a
  // random moment; a stream is cut after its headers, by the client (abort) or by the server.
  const visitPoll = async (cutIt: boolean): Promise<void> => {
    const opening = driver.connect(server.mount, query()).catch(() => undefined);
    const answered = await Promise.race([opening.then(() => true), delay(cutIt ? random() * 6 : 2_000).then(() => false)]);
    if (!answered) {
      cut++;
      cutServerSide();
    }
    const connection = await opening;
    if (connection) await connection.ended;
    settle(connection, undefined);
  };
  const visitStream = async (cutIt: boolean): Promise<void> => {
    let connection: Connection;
    try {
      connection = await driver.connect(server.mount, query());
    } catch {
      return; // reset before the answer: nothing received, same cursor
    }
    if (cutIt) await Promise.race([connection.ended, delay(random() * 6)]);
    else await Promise.race([connection.ended, connection.waitFor(() => ledger.newestValue + 1 >= published, 1_000).catch(() => undefined)]);
    const frames = connection.frames.slice(); // what had fully arrived at the cut
    if (!connection.isEnded()) {
      if (cutIt) cut++;
      if (random() < 0.5) connection.close();
      else cutServerSide();
    }
    settle(connection, frames);
  };
  const visit = driver.streaming ? visitStream : visitPoll;

  try {
    const t0 = Date.now();
    for (let visits = 0; cut < drops && visits < drops * 20 && Date.now() < deadline; visits++) await visit(true);
    const t1 = Date.now();
    stop = true;
    await publisher;
    if (process.env.CHAOS_DEBUG) console.log(driver.name, 'drops', cut, t1 - t0, 'ms, published', published);
    // Drain: everything published must come, resuming from the last cursor.
    const drainUntil = Date.now() + 10_000;
    while (ledger.seen.size < published && ledger.newestValue < published - 1 && Date.now() < drainUntil) await visit(false);
    if (process.env.CHAOS_DEBUG) console.log(driver.name, 'drained', Date.now() - t1, 'ms');
  } finally {
    stop = true;
    await publisher;
    server.server.off('connection', track);
  }
  return {
    drops: cut,
    published,
    received: ledger.received,
    lost: published - ledger.seen.size,
    duplicated: ledger.duplicated,
    outOfOrder: ledger.outOfOrder,
    unsignalledGaps: ledger.unsignalledGaps,
    signalledGaps: ledger.signalledGaps,
  };
}
