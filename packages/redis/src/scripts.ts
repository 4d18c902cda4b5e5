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
 * Appends a batch of entries: consecutive positions (INCRBY) and the stream entries named by
 * them, trimmed by count and age, in one atomic step; then tells every process's feed with one
 * PUBLISH of the whole batch (in full, so a feed that is in step needs no read), as the JSON array
 * `[epoch, first position, time, channel, payload, channel, payload, …]`. On a Redis Cluster the
 * tell is `SPUBLISH` (`command`): the feed channel carries the keys' hash tag, so it is a shard
 * channel of the script's own slot (Redis allows that in a script) and stays on the keys' node.
 * ARGV: fresh epoch, maxCount, maxAgeMs, feed channel, then channel and payload of each entry.
 * Returns { epoch, first position, time }.
 */
const publishScript = (command: 'PUBLISH' | 'SPUBLISH'): string => `${PRELUDE}
local epoch = ensureEpoch(ARGV[1])
local n = (#ARGV - 4) / 2
local first = redis.call('INCRBY', KEYS[2], n) - n + 1
local now = nowMs()
local t = int(now)
local message = { epoch, int(first), t }
for i = 1, n do
  local channel, payload = ARGV[3 + 2 * i], ARGV[4 + 2 * i]
  redis.call('XADD', KEYS[3], int(first + i - 1) .. '-0', 'c', channel, 'd', payload, 't', t)
  message[#message + 1] = channel
  message[#message + 1] = payload
end
redis.call('XTRIM', KEYS[3], 'MAXLEN', ARGV[2])
trimAge(now - tonumber(ARGV[3]))
redis.call('${command}', ARGV[4], cjson.encode(message))
return { epoch, first, now }
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

export function script(lua: string): Script {
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
  publish: script(publishScript('PUBLISH')),
  spublish: script(publishScript('SPUBLISH')),
  read: script(READ),
  state: script(STATE),
  renew: script(RENEW),
} as const;
