/**
 * The broker's Redis keys and the Lua scripts that keep them consistent: each script runs
 * atomically, so the stream and the retained state never disagree. No command
 * logic lives here: which frames are retained is decided by the command table, in TypeScript.
 *
 * @module
 */
import { LuaScript } from "./lua_script.ts";

/** The keys of one fleet (prefix `flashlight` by default). */
export interface BrokerKeys {
  /** The command stream: its entry ids order and version everything. */
  readonly stream: string;
  /** The retained state: a hash, frame type → `<stream id> <hex value>`. */
  readonly state: string;
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
    state: `${prefix}:state`,
    instance: (id) => `${prefix}:instance:${id}`,
  };
}

/**
 * Lua: `facts(key)`, the stream at this instant, as `streamFacts` (`redis_reply.ts`) reads it:
 * Redis's clock in ms, then, when the key exists, its first and last entries' ids ("" when
 * empty), the newest id it generated, its length and the entries ever added to it (-1 before
 * Redis 7). A key of another
 * type fails the script (WRONGTYPE). `idLess(a, b)` orders two ids as numbers.
 */
const FACTS_LUA = `
local function facts(key)
  local t = redis.call('TIME')
  local now = t[1] .. string.format('%03d', math.floor(tonumber(t[2]) / 1000))
  if redis.call('EXISTS', key) == 0 then return {now} end
  local info = redis.call('XINFO', 'STREAM', key)
  local f = {}
  for i = 1, #info, 2 do f[info[i]] = info[i + 1] end
  local first, newest = f['first-entry'], f['last-entry']
  return {now, first and first[1] or '', newest and newest[1] or '', f['last-generated-id'],
    f['length'], f['entries-added'] or -1}
end
local function idLess(a, b)
  local am, as = string.match(a, '^(%d+)%-(%d+)')
  local bm, bs = string.match(b, '^(%d+)%-(%d+)')
  if #am ~= #bm then return #am < #bm end
  if am ~= bm then return am < bm end
  if #as ~= #bs then return #as < #bs end
  return as < bs
end
`;

/**
 * Publish: append the command to the stream (trimmed to about `maxlen` entries) and, when it is
 * retained, record it as the latest of its type with its stream id as version. Nothing but the
 * stream numbers entries: a write Redis refuses leaves no trace.
 * KEYS: stream, state. ARGV: maxlen, state field ("" when not retained), hex value, then the
 * entry's fields. Returns the entry's id.
 */
export const PUBLISH_SCRIPT: LuaScript = new LuaScript(`
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[1], '*', unpack(ARGV, 4))
if ARGV[2] ~= '' then redis.call('HSET', KEYS[2], ARGV[2], id .. ' ' .. ARGV[3]) end
return id`);

/**
 * Facts: the stream right after a read, on the same connection (so they describe a moment after
 * the read). KEYS: stream. Returns `facts(stream)`.
 */
export const FACTS_SCRIPT: LuaScript = new LuaScript(`${FACTS_LUA}
return facts(KEYS[1])`);

/**
 * Snapshot, for an instance that (re)connects: the stream's facts, the retained state, and the
 * first entry at or after the instance's place (is its own entry still there?), at one instant.
 * KEYS: stream, state. ARGV: the place. Returns `{facts, hash, id or ""}`.
 */
export const SNAPSHOT_SCRIPT: LuaScript = new LuaScript(`${FACTS_LUA}
local at = redis.call('XRANGE', KEYS[1], ARGV[1], '+', 'COUNT', 1)
return {facts(KEYS[1]), redis.call('HGETALL', KEYS[2]), at[1] and at[1][1] or ''}`);

/**
 * Restore: write back entries Redis lacks, holds in an older version, or holds as exactly the
 * malformed text the instance saw, except versions from the future (newer than both the stream's
 * newest id and Redis's clock: they cannot be right); then, if anything changed, append a `state`
 * entry carrying the whole merged state (its frame-type fields) so every instance merges it in
 * stream order. KEYS: state, stream. ARGV: maxlen, origin, then triples (field, entry, malformed
 * text seen or ""). Returns the new entry's id, or nil when nothing changed.
 */
export const RESTORE_SCRIPT: LuaScript = new LuaScript(`${FACTS_LUA}
local now = facts(KEYS[2])
local clock = now[1] .. '-18446744073709551615'
local bound = now[4] and idLess(clock, now[4]) and now[4] or clock
local changed = false
for i = 3, #ARGV, 3 do
  local version = string.match(ARGV[i + 1], '^(%d+%-%d+) ')
  local current = redis.call('HGET', KEYS[1], ARGV[i])
  local held = current and string.match(current, '^(%d+%-%d+) ')
  if version and not idLess(bound, version) and (not held or current == ARGV[i + 2]
      or idLess(held, version)) then
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
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], '*', 'origin', ARGV[2],
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
