import { createHash } from 'node:crypto';
import type { Link } from './connections';

// The log's keys share one hash tag, so a script touching all three stays on one node of a Redis
// Cluster (the partitioned design in the README gives each partition its own tag).
//   KEYS[1] epoch: the log's epoch, replaced whenever the log is found lost
//   KEYS[2] seq:   the last position assigned (INCR)
//   KEYS[3] log:   the stream; entry ids are `<position>-0`, fields c (channel), d (payload), t (time)

// Shared by every script. A missing epoch key means the log was lost (a flush, a restart without
// persistence): whatever is left of the others is from an older log and goes with it.
const PRELUDE = `
local function ensureEpoch(fresh)
  local epoch = redis.call('GET', KEYS[1])
  if epoch then return epoch end
  redis.call('DEL', KEYS[2], KEYS[3])
  redis.call('SET', KEYS[1], fresh)
  return fresh
end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local function int(n) return string.format('%d', n) end
local function positionOf(id) return tonumber(string.match(id, '^%d+')) end
-- Entries are in time order: drop from the front while older than the cutoff. Cheap when nothing
-- expired (one entry looked at); bounded per call, the next call goes on.
local function trimAge(cutoff)
  local oldest = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)
  if #oldest == 0 or tonumber(oldest[1][2][6]) >= cutoff then return end
  for _ = 1, 8 do
    local batch = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 256)
    if #batch == 0 then return end
    for _, entry in ipairs(batch) do
      if tonumber(entry[2][6]) >= cutoff then
        redis.call('XTRIM', KEYS[3], 'MINID', entry[1])
        return
      end
    end
    redis.call('XTRIM', KEYS[3], 'MINID', int(positionOf(batch[#batch][1]) + 1))
  end
end
`;

/**
 * Appends one entry: the next position (INCR) and the stream entry named by it, trimmed by count
 * and age, in one atomic step; then tells every process's feed (PUBLISH, the entry in full, so a
 * feed that is in step needs no read).
 * ARGV: fresh epoch, maxCount, maxAgeMs, channel, payload, feed channel. Returns { epoch, position, time }.
 */
const PUBLISH = `${PRELUDE}
local epoch = ensureEpoch(ARGV[1])
local position = redis.call('INCR', KEYS[2])
local now = nowMs()
redis.call('XADD', KEYS[3], 'MAXLEN', ARGV[2], int(position) .. '-0', 'c', ARGV[4], 'd', ARGV[5], 't', int(now))
trimAge(now - tonumber(ARGV[3]))
redis.call('PUBLISH', ARGV[6], epoch .. '\\n' .. int(position) .. '\\n' .. int(now) .. '\\n' .. ARGV[4] .. '\\n' .. ARGV[5])
return { epoch, position, now }
`;

/**
 * Reads entries after a cursor by range. ARGV: fresh epoch, maxAgeMs, cursor epoch, after, count.
 * Returns { epoch, seq, gap ('' | 'epoch' | 'expired'), after (where the range starts), entries }.
 * A cursor at or ahead of seq in the same epoch is no gap (another process may be ahead).
 */
const READ = `${PRELUDE}
local epoch = ensureEpoch(ARGV[1])
local seq = tonumber(redis.call('GET', KEYS[2]) or '0')
trimAge(nowMs() - tonumber(ARGV[2]))
local after = tonumber(ARGV[4])
if ARGV[3] == epoch and after >= seq then return { epoch, seq, '', int(after), {} } end
local oldest = redis.call('XRANGE', KEYS[3], '-', '+', 'COUNT', 1)
local first = seq + 1
if #oldest > 0 then first = positionOf(oldest[1][1]) end
local gap = ''
if ARGV[3] ~= epoch then
  gap = 'epoch'
  after = first - 1
elseif after < first - 1 then
  gap = 'expired'
  after = first - 1
end
local entries = redis.call('XRANGE', KEYS[3], int(after + 1), '+', 'COUNT', ARGV[5])
return { epoch, seq, gap, int(after), entries }
`;

/** The log's epoch and last position. ARGV: fresh epoch. Returns { epoch, seq }. */
const STATE = `${PRELUDE}
local epoch = ensureEpoch(ARGV[1])
return { epoch, tonumber(redis.call('GET', KEYS[2]) or '0') }
`;

/**
 * Replaces the epoch when it is still `ARGV[1]` (compare-and-set: of several processes noticing
 * the same rollback, one replaces it). ARGV: seen epoch, fresh epoch. Returns the epoch now.
 */
const RENEW = `
local epoch = redis.call('GET', KEYS[1])
if epoch and epoch ~= ARGV[1] then return epoch end
redis.call('DEL', KEYS[2], KEYS[3])
redis.call('SET', KEYS[1], ARGV[2])
return ARGV[2]
`;

/** A Lua script run by its SHA1 (EVALSHA), sent in full only when Redis does not know it yet. */
export type Script = (redis: Link, keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

function script(lua: string): Script {
  const sha = createHash('sha1').update(lua).digest('hex');
  return async (redis, keys, args) => {
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      // After a restart or SCRIPT FLUSH the cache is empty: load it with the call itself.
      if (!(error instanceof Error) || !error.message.startsWith('NOSCRIPT')) throw error;
      return redis.eval(lua, keys.length, ...keys, ...args);
    }
  };
}

export const scripts = {
  publish: script(PUBLISH),
  read: script(READ),
  state: script(STATE),
  renew: script(RENEW),
} as const;
