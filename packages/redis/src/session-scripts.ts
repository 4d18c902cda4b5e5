import { script } from './scripts';

// One session is two keys under one hash tag (its id), so each script stays on one node of a
// Redis Cluster: KEYS[1] a hash (c cursor, s sent as JSON, b batch, a ack 0|1, e expiresAt),
// KEYS[2] the set of its subscriptions. The hash is the truth; the index of expiry times (a
// sorted set, under a tag of its own) is kept beside it by separate commands and corrected by
// the sweep. Key TTLs at expiresAt + grace are a net for when no process sweeps at all.
//   ARGV[1] now (ms, the caller's clock, as expiresAt is), ARGV[2] grace (ms)
const PRELUDE = `
local now, grace = tonumber(ARGV[1]), tonumber(ARGV[2])
-- True when the session is there and not past its expiresAt; an expired one is removed.
local function live()
  local e = redis.call('HGET', KEYS[1], 'e')
  if not e then return false end
  if tonumber(e) <= now then
    redis.call('DEL', KEYS[1], KEYS[2])
    return false
  end
  return true
end
local function ttl()
  local at = tonumber(redis.call('HGET', KEYS[1], 'e')) + grace
  redis.call('PEXPIREAT', KEYS[1], at)
  redis.call('PEXPIREAT', KEYS[2], at)
end
local function read()
  local f = redis.call('HMGET', KEYS[1], 'c', 's', 'b', 'a', 'e')
  return { f[1], f[2], f[3], f[4], f[5], redis.call('SMEMBERS', KEYS[2]) }
end
`;

/** ARGV[3…7]: cursor, sent, batch, ack, expiresAt; then subscriptions. Returns 1, or 0 when it exists. */
const CREATE = `${PRELUDE}
if live() then return 0 end
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'c', ARGV[3], 's', ARGV[4], 'b', ARGV[5], 'a', ARGV[6], 'e', ARGV[7])
if #ARGV > 7 then redis.call('SADD', KEYS[2], unpack(ARGV, 8)) end
ttl()
return 1
`;

/** The session, or nil. */
const GET = `${PRELUDE}
if not live() then return nil end
return read()
`;

/** ARGV[3…]: field, value pairs of the hash. The session after, or nil. */
const UPDATE = `${PRELUDE}
if not live() then return nil end
if #ARGV > 2 then redis.call('HSET', KEYS[1], unpack(ARGV, 3)) end
ttl()
return read()
`;

/** ARGV[3]: 'add' or 'remove'; then channel names. The session after, or nil. */
const SUBSCRIPTIONS = `${PRELUDE}
if not live() then return nil end
if ARGV[3] == 'add' then redis.call('SADD', KEYS[2], unpack(ARGV, 4)) else redis.call('SREM', KEYS[2], unpack(ARGV, 4)) end
ttl()
return read()
`;

/** Returns 1 when a live session was removed, else 0 (an expired one is removed too). */
const DELETE = `${PRELUDE}
local was = live()
redis.call('DEL', KEYS[1], KEYS[2])
if was then return 1 end
return 0
`;

/**
 * The sweep, for one id the index has as due: removes the session when due by `now` (or already
 * gone: expired on access, or by its TTL) and answers -1; a session touched since answers its
 * real expiresAt, for the index to be corrected.
 */
const SWEEP = `${PRELUDE}
local e = redis.call('HGET', KEYS[1], 'e')
if e and tonumber(e) > now then return e end
redis.call('DEL', KEYS[1], KEYS[2])
return -1
`;

export const sessionScripts = {
  create: script(CREATE),
  get: script(GET),
  update: script(UPDATE),
  subscriptions: script(SUBSCRIPTIONS),
  delete: script(DELETE),
  sweep: script(SWEEP),
} as const;
