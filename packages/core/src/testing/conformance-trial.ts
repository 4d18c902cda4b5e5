import { createComet, type Broker, type CometHub, type CometOptions } from '../index';
import type { ConnectOptions, Connection } from './http-connection';
import type { RunningServer, ServerKind, ServerSetup } from './server-kind';
import type { TransportDriver } from './transport-drivers';

/**
 * A broker the conformance suite runs on; `undefined` from `create` means the hub's default. A
 * broker it makes (synchronously or not) is closed after each test, as the hub leaves it open.
 */
export interface BrokerKind {
  name: string;
  create(history?: CometOptions['history']): Broker | undefined | Promise<Broker | undefined>;
}

/** The hub's own memory broker. */
export const memoryBroker: BrokerKind = { name: 'memory', create: () => undefined };

/**
 * One conformance test's world: a hub on one broker, served by one server kind, and the
 * connections the test opened. {@link ConformanceTrial.close} takes it all down whatever happened,
 * so each test cleans up after itself and needs no runner's `afterEach`.
 */
export class ConformanceTrial {
  private started?: { hub: CometHub; server: RunningServer };
  private made: Broker | undefined;
  private readonly connections: Connection[] = [];

  constructor(
    private readonly kind: ServerKind,
    private readonly broker: BrokerKind,
    private readonly hubOptions: CometOptions,
  ) {}

  /** Makes the broker and the hub (`options` over the suite's) and starts the server. */
  async start(options: CometOptions = {}, setup?: ServerSetup): Promise<void> {
    this.made = await this.broker.create(options.history);
    // JSONP is off by default; the suite checks it, so its hubs serve it.
    const hub = createComet({ longPollTimeoutMs: 3_000, jsonp: true, ...this.hubOptions, ...options, broker: this.made });
    this.started = { hub, server: await this.kind.start(hub, setup) };
  }

  get hub(): CometHub {
    return this.running().hub;
  }

  get server(): RunningServer {
    return this.running().server;
  }

  /** Whether the server kind has a proxy in front (which consumes headers addressed to it). */
  get behindProxy(): boolean {
    return this.kind.proxy === true;
  }

  /** Opens a request on `driver` at the hub's mount; the trial closes it at the end. */
  async connect(driver: TransportDriver, query: string, options?: ConnectOptions): Promise<Connection> {
    return this.keep(await driver.connect(this.server.mount, query, options));
  }

  /** Hands `connection` to the trial, which closes it at the end. */
  keep(connection: Connection): Connection {
    this.connections.push(connection);
    return connection;
  }

  /** A cursor at the head of the log now (a message published on a channel nobody reads). */
  async head(): Promise<string> {
    return (await this.hub.publish('setup/head', null)).cursor;
  }

  /** Publishes `values` on `channel` one by one, letting the event loop turn between them. */
  async publishAll(channel: string, values: readonly unknown[]): Promise<void> {
    for (const value of values) {
      await this.hub.publish(channel, value);
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** Closes the connections, the hub, the server and the broker the trial made. */
  async close(): Promise<void> {
    this.connections.splice(0).forEach((connection) => connection.close());
    await this.started?.hub.close();
    await this.started?.server.close();
    await this.made?.close();
  }

  private running(): { hub: CometHub; server: RunningServer } {
    if (!this.started) throw new Error('the conformance trial has not started its server');
    return this.started;
  }
}
