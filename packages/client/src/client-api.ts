import type { AnyChannels, ChannelMap, ClientEvents, ClientState, DataOf, MessageHandler, TransportName } from './types';

/** A cometkit client: one connection carrying every subscription, resuming by cursor after any drop. */
export interface CometClient<S extends ChannelMap = AnyChannels> {
  /**
   * Calls `onMessage(data, message)` for every message on `channel`, a name (`chat/room`) or a
   * pattern (`chat/*`, `chat/**`). Returns the function that unsubscribes. Adding or removing a
   * channel changes an open WebSocket's channels in place, and reconnects from the same cursor on
   * any other transport: nothing on the channels kept is lost.
   */
  subscribe<C extends string>(channel: C, onMessage: MessageHandler<DataOf<S, C>>): () => void;
  /**
   * Publishes through `POST {url}/publish` (the server must allow it; same origin only). Resolves
   * with the message's cursor; rejects with an `Error` carrying `code` and `status`.
   */
  publish<C extends keyof S & string>(channel: C, data: S[C]): Promise<{ cursor: string }>;
  /** Listens to an event (see {@link ClientEvents}); returns the function that stops listening. */
  on<K extends keyof ClientEvents>(event: K, listener: (value: ClientEvents[K]) => void): () => void;
  /** Where the client stands. */
  readonly state: ClientState;
  /** The transport in use (or last used). */
  readonly transport: TransportName | undefined;
  /** The cursor it would resume from: the last one the server gave. */
  readonly cursor: string | undefined;
  /** Drops the current request and resumes at once from the cursor (after the network came back, say). */
  reconnect(): void;
  /** Stops for good: ends the request, cancels retries, drops nothing else. */
  close(): void;
}
