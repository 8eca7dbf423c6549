/**
 * The broker's Redis keys and the Lua scripts that keep them consistent: each script runs
 * atomically, so the stream, its numbering and the retained state never disagree. No command
 * logic lives here: which frames are retained is decided by the command table, in TypeScript.
 *
 * @module
 */
import { LuaScript } from "./lua_script.ts";

/** The keys of one fleet (prefix `flashlight` by default). */
export interface BrokerKeys {
  /** The command stream. */
  readonly stream: string;
  /** The number of the newest stream entry (entries are numbered 1, 2, … per Redis lifetime). */
  readonly counter: string;
  /** The retained state: a hash, frame type → `<stream id> <hex value>`. */
  readonly state: string;
  /** A random id naming this Redis's lifetime (a Redis restarted empty gets a new one). */
  readonly epoch: string;
  /** Instance `id`'s heartbeat key. */
  instance(id: string): string;
}

/**
 * The keys under a prefix.
 *
 * @param prefix The key prefix.
 * @returns The keys.
 * @example
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { brokerKeys } from "./redis_scripts.ts";
 * assertEquals(brokerKeys("flashlight").stream, "flashlight:commands");
 * ```
 */
export function brokerKeys(prefix: string): BrokerKeys {
  return {
    stream: `${prefix}:commands`,
    counter: `${prefix}:counter`,
    state: `${prefix}:state`,
    epoch: `${prefix}:epoch`,
    instance: (id) => `${prefix}:instance:${id}`,
  };
}

/**
 * Publish: number the command, append it to the stream (trimmed to about `maxlen` entries) and,
 * when it is retained, record it as the latest of its type with its stream id as version.
 * KEYS: stream, counter, state. ARGV: maxlen, state field ("" when not retained), hex value,
 * then the entry's fields after `n`. Returns `{id, n}`.
 */
export const PUBLISH_SCRIPT: LuaScript = new LuaScript(`
local n = redis.call('INCR', KEYS[2])
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', 'n', n, unpack(ARGV, 4))
if ARGV[2] ~= '' then redis.call('HSET', KEYS[3], ARGV[2], id .. ' ' .. ARGV[3]) end
return {id, n}`);

/**
 * Snapshot, for an instance that (re)connects: this Redis's epoch (set now if it has none), the
 * retained state, the newest entry's id and its number, all at one instant.
 * KEYS: epoch, state, stream, counter. ARGV: a fresh epoch id. Returns `{epoch, hash, id, n}`.
 */
export const SNAPSHOT_SCRIPT: LuaScript = new LuaScript(`
redis.call('SET', KEYS[1], ARGV[1], 'NX')
local last = redis.call('XREVRANGE', KEYS[3], '+', '-', 'COUNT', 1)
return {redis.call('GET', KEYS[1]), redis.call('HGETALL', KEYS[2]),
  last[1] and last[1][1] or '0-0', redis.call('GET', KEYS[4]) or '0'}`);

/**
 * Check, every few seconds: the epoch ("" when gone), the newest entry's number, the state.
 * KEYS: epoch, counter, state. Returns `{epoch, n, hash}`.
 */
export const CHECK_SCRIPT: LuaScript = new LuaScript(`
return {redis.call('GET', KEYS[1]) or '', redis.call('GET', KEYS[2]) or '0',
  redis.call('HGETALL', KEYS[3])}`);

/**
 * Restore: write back entries Redis lacks, holds in an older version, or holds as exactly the
 * malformed text the instance saw; then, if anything changed, append a `state` entry carrying
 * the whole merged state (its frame-type fields) so every instance merges it in stream order.
 * KEYS: state, stream, counter. ARGV: maxlen, origin, then triples (field, entry, malformed text
 * seen or ""). Returns the new entry's id, or nil when nothing changed.
 */
export const RESTORE_SCRIPT: LuaScript = new LuaScript(`
local function newer(a, b)
  local am, as = string.match(a, '^(%d+)%-(%d+) ')
  local bm, bs = string.match(b, '^(%d+)%-(%d+) ')
  if not bm then return true end
  if #am ~= #bm then return #am > #bm end
  if am ~= bm then return am > bm end
  if #as ~= #bs then return #as > #bs end
  return as > bs
end
local changed = false
for i = 3, #ARGV, 3 do
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  if not current or current == ARGV[i + 2] or newer(ARGV[i + 1], current) then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    changed = true
  end
end
if not changed then return false end
local fields = {}
local all = redis.call('HGETALL', KEYS[1])
for i = 1, #all, 2 do
  if string.match(all[i], '^%d%d?%d?$') and #fields < 512 then
    fields[#fields + 1] = 'frame.' .. all[i]
    fields[#fields + 1] = all[i + 1]
  end
end
local n = redis.call('INCR', KEYS[3])
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'n', n, 'origin', ARGV[2],
  'kind', 'state', unpack(fields))`);

/**
 * Heartbeat values for the given keys; a key holding another type reads as "" (malformed).
 * KEYS: heartbeat keys. Returns their values (nil when expired).
 */
export const HEARTBEATS_SCRIPT: LuaScript = new LuaScript(`
local values = {}
for i, key in ipairs(KEYS) do
  local value = redis.pcall('GET', key)
  if type(value) == 'table' and value.err then value = '' end
  values[i] = value
end
return values`);
