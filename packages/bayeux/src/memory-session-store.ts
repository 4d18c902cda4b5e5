import type { BayeuxSession, SessionPatch, SessionStore } from './session-store';

/** Options of {@link createMemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** The clock, ms since 1970 (tests pass their own). Default `Date.now`. */
  now?: () => number;
}

/**
 * Sessions in this process's memory: one process only (a second process would not know them).
 * A `Map` keyed by clientId (never a plain object: ids are chosen by clients on every request).
 */
export function createMemorySessionStore(options: MemorySessionStoreOptions = {}): SessionStore {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, BayeuxSession>();

  function live(id: string): BayeuxSession | undefined {
    const session = sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= now()) {
      sessions.delete(id);
      return undefined;
    }
    return session;
  }

  function replace(id: string, change: (session: BayeuxSession) => BayeuxSession): BayeuxSession | undefined {
    const session = live(id);
    if (session === undefined) return undefined;
    const next = change(session);
    sessions.set(id, next);
    return next;
  }

  return {
    async create(session) {
      if (live(session.id)) return false;
      sessions.set(session.id, { ...session, subscriptions: [...new Set(session.subscriptions)] });
      return true;
    },
    async get(id) {
      return live(id);
    },
    async update(id, patch: SessionPatch) {
      return replace(id, (session) => ({ ...session, ...definedOnly(patch) }));
    },
    async subscribe(id, channels) {
      return replace(id, (session) => ({ ...session, subscriptions: [...new Set([...session.subscriptions, ...channels])] }));
    },
    async unsubscribe(id, channels) {
      const gone = new Set(channels);
      return replace(id, (session) => ({ ...session, subscriptions: session.subscriptions.filter((c) => !gone.has(c)) }));
    },
    async touch(id, expiresAt) {
      return replace(id, (session) => ({ ...session, expiresAt })) !== undefined;
    },
    async delete(id) {
      const existed = live(id) !== undefined;
      sessions.delete(id);
      return existed;
    },
    async expire(at) {
      const ids: string[] = [];
      for (const [id, session] of sessions) {
        if (session.expiresAt <= at) {
          sessions.delete(id);
          ids.push(id);
        }
      }
      return ids;
    },
    async count() {
      return sessions.size;
    },
  };
}

/** The patch without keys set to undefined (which would erase a field). */
function definedOnly(patch: SessionPatch): SessionPatch {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) out[key] = value;
  return out as SessionPatch;
}
