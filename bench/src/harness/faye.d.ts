// The parts of Faye (no published types) the benchmark server uses.
declare module 'faye' {
  import type http from 'node:http';

  interface Client {
    publish(channel: string, data: unknown): PromiseLike<unknown>;
  }
  class NodeAdapter {
    constructor(options: { mount: string; timeout?: number });
    attach(server: http.Server): void;
    getClient(): Client;
    on(event: 'subscribe' | 'unsubscribe' | 'handshake' | 'disconnect', listener: (...args: unknown[]) => void): void;
  }
  const faye: { NodeAdapter: typeof NodeAdapter };
  export default faye;
}
