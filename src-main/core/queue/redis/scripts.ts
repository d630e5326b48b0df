// The Redis queue's state transitions as Lua scripts (run by EVALSHA, atomically on the server): a record changes
// only if it is still what the caller read (compare-and-set on the whole JSON record), or still held by the
// worker that writes it. Every write also bumps a revision counter, files the job in a changes index (what a
// poll reads instead of every record) and keeps the set of pending (queued/waiting) ids (what a release scans).
// KEYS, in every script: 1 jobs hash, 2 stop requests hash, 3 revision counter, 4 changes zset, 5 pending set.

export const SCRIPT_KEYS = ['jobs', 'stop', 'rev', 'changes', 'pending'] as const;

const PRELUDE = `
local function write(id, json, state)
  redis.call('HSET', KEYS[1], id, json)
  local rev = redis.call('INCR', KEYS[3])
  redis.call('ZADD', KEYS[4], rev, id)
  if state == 'queued' or state == 'waiting' then redis.call('SADD', KEYS[5], id) else redis.call('SREM', KEYS[5], id) end
end
local function stateOf(json) return cjson.decode(json).job.state end
`;

/** Unconditional write (a new job). ARGV: id, json, state. */
const put = `${PRELUDE}
write(ARGV[1], ARGV[2], ARGV[3])
return 1`;

/** Compare-and-set: 1 when the record was still ARGV[2] and is now ARGV[3], else 0. ARGV: id, expected, json, state, clearStop. */
const cas = `${PRELUDE}
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
write(ARGV[1], ARGV[3], ARGV[4])
if ARGV[5] == '1' then redis.call('HDEL', KEYS[2], ARGV[1]) end
return 1`;

/**
 * A worker takes a job: 'ok' (now running), 'changed' (read again), 'skip' (no longer runnable: cancelled, paused,
 * finished) or 'stopped' (a dead worker's job with a stop request: recorded cancelled or paused, not run).
 * ARGV: id, expected, runningJson, cancelledJson, pausedJson.
 */
const pickup = `${PRELUDE}
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if cur ~= ARGV[2] then return 'changed' end
local s = stateOf(cur)
if s ~= 'queued' and s ~= 'waiting' and s ~= 'running' then return 'skip' end
local stop = redis.call('HGET', KEYS[2], ARGV[1])
if stop then
  if stop == 'pause' then write(ARGV[1], ARGV[5], 'paused') else write(ARGV[1], ARGV[4], 'cancelled') end
  redis.call('HDEL', KEYS[2], ARGV[1])
  return 'stopped'
end
write(ARGV[1], ARGV[3], 'running')
return 'ok'`;

/** Asks the worker of a running job to stop: 1 when the job is running (a cancel is not turned back into a pause), else 0. ARGV: id, kind. */
const stop = `
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur or cjson.decode(cur).job.state ~= 'running' then return 0 end
if ARGV[2] == 'pause' and redis.call('HGET', KEYS[2], ARGV[1]) == 'cancel' then return 1 end
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return 1`;

/**
 * A write by the worker running the job (progress, the outcome): only while the record is running under this worker
 * and attempt, else nil (another worker took it over). With stop records given, a pending stop request picks the
 * outcome (cancelled or paused). Returns the state written. ARGV: id, worker, attempts, json, state, cancelledJson
 * ('' for none), pausedJson, clearStop.
 */
const owned = `${PRELUDE}
local cur = redis.call('HGET', KEYS[1], ARGV[1])
if not cur then return false end
local r = cjson.decode(cur)
if r.job.state ~= 'running' or r.worker ~= ARGV[2] or tonumber(r.job.attempts) ~= tonumber(ARGV[3]) then return false end
local json, state = ARGV[4], ARGV[5]
if ARGV[6] ~= '' then
  local s = redis.call('HGET', KEYS[2], ARGV[1])
  if s == 'pause' then json, state = ARGV[7], 'paused' elseif s == 'cancel' then json, state = ARGV[6], 'cancelled' end
end
write(ARGV[1], json, state)
if ARGV[8] == '1' then redis.call('HDEL', KEYS[2], ARGV[1]) end
return state`;

/** Records changed after revision ARGV[1]: { current revision, ...their JSON }; only the revision when none did. */
const changes = `
local rev = tonumber(redis.call('GET', KEYS[3]) or '0')
local since = tonumber(ARGV[1])
local out = {rev}
if rev <= since then return out end
local ids = redis.call('ZRANGEBYSCORE', KEYS[4], '(' .. since, '+inf')
for i = 1, #ids, 500 do
  local recs = redis.call('HMGET', KEYS[1], unpack(ids, i, math.min(i + 499, #ids)))
  for j = 1, #recs do if recs[j] then out[#out + 1] = recs[j] end end
end
return out`;

export const SCRIPTS = {
  cdPut: put,
  cdCas: cas,
  cdPickup: pickup,
  cdStop: stop,
  cdOwned: owned,
  cdChanges: changes,
} as const;
export type ScriptName = keyof typeof SCRIPTS;
