import type { SessionStore } from '../sessions/session-store';

/**
 * What one WebSocket may hold of the hub's shared limits: live sessions it handshook and connects
 * it holds at once. Without it one socket could handshake until the store is full and hold a
 * connect per session until the hub's connection limit refuses everyone else. HTTP requests have
 * no such owner: a client there is bounded by `limits.maxSessions` and the hub's limits.
 */
export class SocketQuota {
  /** The sessions this socket handshook that were still live when last looked at. */
  private readonly sessions = new Set<string>();
  /** Connects held through this socket, by session (a superseded one may not have ended yet). */
  private readonly held = new Map<string, number>();

  constructor(
    private readonly maxSessions: number,
    private readonly maxConnects: number,
  ) {}

  /** Whether the socket may handshake one more session: at the cap, sessions gone from the store stop counting. */
  async roomForSession(store: SessionStore): Promise<boolean> {
    if (this.sessions.size < this.maxSessions) return true;
    for (const id of [...this.sessions]) {
      if (!(await store.get(id))) this.sessions.delete(id);
    }
    return this.sessions.size < this.maxSessions;
  }

  sessionMade(clientId: string): void {
    this.sessions.add(clientId);
  }

  /** Counts a connect for `clientId` as held, or false when the socket holds its most for other sessions. */
  holdConnect(clientId: string): boolean {
    const count = this.held.get(clientId);
    if (count === undefined && this.held.size >= this.maxConnects) return false;
    this.held.set(clientId, (count ?? 0) + 1);
    return true;
  }

  connectEnded(clientId: string): void {
    const count = this.held.get(clientId) ?? 0;
    if (count <= 1) this.held.delete(clientId);
    else this.held.set(clientId, count - 1);
  }
}
