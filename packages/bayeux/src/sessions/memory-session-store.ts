import { Interner } from '../interner';
import type { BayeuxSession, SentAnswer, SessionPatch, SessionStore } from './session-store';

/** Options of {@link createMemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** The clock, ms since 1970 (tests pass their own). Default `Date.now`. */
  now?: () => number;
}

const NONE_SENT: readonly SentAnswer[] = Object.freeze([]);
const NO_PATCH: SessionPatch = Object.freeze({});

/**
 * Sessions in this process's memory: one process only (a second process would not know them).
 * A `Map` keyed by clientId (never a plain object: ids are chosen by clients on every request).
 * An idle session costs about 200 bytes: its id, one small object, and references to a cursor,
 * a channel list and an answer list that sessions in the same state share (frozen: nobody
 * changes a stored session, every change makes a new one).
 */
export function createMemorySessionStore(options: MemorySessionStoreOptions = {}): SessionStore {
  const now = options.now ?? Date.now;
  const sessions = new Map<string, BayeuxSession>();
  const cursors = new Interner<string>();
  const channelLists = new Interner<readonly string[]>();
  const answerLists = new Interner<readonly SentAnswer[]>();

  const cursor = (text: string): string => cursors.keep(text, text);
  /** Lists this store made: a change that keeps a session's list (every connect) keeps it as it is. */
  const shared = new WeakSet<readonly string[]>();
  const channels = (names: readonly string[]): readonly string[] => {
    if (shared.has(names)) return names;
    const set = [...new Set(names)];
    return channelLists.get(set.join('\n'), () => {
      const list = Object.freeze(set);
      shared.add(list);
      return list;
    });
  };
  /** Answer lists this store made (frozen, shared): kept as they are. */
  const madeLists = new WeakSet<readonly SentAnswer[]>();
  const made = (list: readonly SentAnswer[]): readonly SentAnswer[] => {
    madeLists.add(list);
    return list;
  };
  /** One-answer lists (what every answer without the ack extension leaves) by cursor, then number: found without making a key. */
  const singles = new Interner<Map<number, readonly SentAnswer[]>>();
  const single = (answer: SentAnswer): readonly SentAnswer[] => {
    const at = cursor(answer.cursor);
    const byNumber = singles.find(at) ?? singles.keep(at, new Map());
    let list = byNumber.get(answer.batch);
    if (list === undefined) {
      if (byNumber.size >= 64) byNumber.clear();
      list = made(Object.freeze([Object.freeze({ batch: answer.batch, cursor: at })]));
      byNumber.set(answer.batch, list);
    }
    return list;
  };
  const answers = (sent: readonly SentAnswer[]): readonly SentAnswer[] => {
    if (sent.length === 0) return NONE_SENT;
    if (madeLists.has(sent)) return sent;
    if (sent.length === 1) return single(sent[0]!);
    return answerLists.get(sent.map((a) => `${a.batch} ${a.cursor}`).join('\n'), () =>
      made(Object.freeze(sent.map((a) => Object.freeze({ batch: a.batch, cursor: cursor(a.cursor) })))),
    );
  };

  /** The session as stored, with a patch's fields set: one shape for all, its shareable parts shared. */
  const stored = (s: BayeuxSession, patch: SessionPatch = NO_PATCH): BayeuxSession => ({
    id: s.id,
    subscriptions: channels(s.subscriptions),
    cursor: cursor(patch.cursor ?? s.cursor),
    sent: answers(patch.sent ?? s.sent),
    batch: patch.batch ?? s.batch,
    ack: s.ack,
    expiresAt: patch.expiresAt ?? s.expiresAt,
  });

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
    const next = stored(change(session));
    sessions.set(id, next);
    return next;
  }

  return {
    async create(session) {
      if (live(session.id)) return false;
      sessions.set(session.id, stored(session));
      return true;
    },
    async get(id) {
      return live(id);
    },
    // A connect's change (twice per connect): one new object, nothing else made.
    async update(id, patch: SessionPatch) {
      const session = live(id);
      if (session === undefined) return undefined;
      const next = stored(session, patch);
      sessions.set(id, next);
      return next;
    },
    async subscribe(id, added) {
      return replace(id, (session) => ({ ...session, subscriptions: [...session.subscriptions, ...added] }));
    },
    async unsubscribe(id, removed) {
      const gone = new Set(removed);
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
