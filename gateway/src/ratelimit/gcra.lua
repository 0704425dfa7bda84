-- GCRA over two tiers (burst, sustained) for one account and mode, decided
-- atomically inside Redis in one round trip. This is gcra.rs's `check` step
-- for step; read the math there. Time is Redis's own (TIME), so the
-- gateways' clocks do not matter. Needs Redis >= 5 (effect replication, so
-- TIME may precede writes).
--
-- KEYS[1]  the bucket: a hash {bl, ba, sl, sa} = level and time (µs) of
--          the burst and sustained tiers
-- ARGV     burst limit, burst window (µs), sustained limit, sustained window (µs)
-- Returns  {allowed (0/1), refusing tier (0 none, 1 burst, 2 sustained),
--           retry (µs), now (µs), then for each tier: remaining, next (µs),
--           reset (µs)}
--
-- Lua numbers are doubles: every value here is an integer below 2^53 as
-- long as limit * window is (per-minute limits up to 150 million).

local clock = redis.call('TIME')
local now = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local stored = redis.call('HMGET', KEYS[1], 'bl', 'ba', 'sl', 'sa')

-- floor(a / b) for integers, corrected for the division's rounding.
local function idiv(a, b)
  local q = math.floor(a / b)
  if q * b > a then
    q = q - 1
  elseif (q + 1) * b <= a then
    q = q + 1
  end
  return q
end

local function ceil_div(a, b)
  return -idiv(-a, b)
end

-- A tier's state at `now`, drained since it was written.
local function tier(n, limit, window)
  local level = tonumber(stored[2 * n - 1]) or 0
  local at = tonumber(stored[2 * n]) or now
  local elapsed = math.min(math.max(now - at, 0), window)
  return {
    limit = limit,
    window = window,
    cap = limit * window,
    level = math.max(level - elapsed * limit, 0),
    at = math.max(at, now),
  }
end

-- remaining, µs until one more, µs until all of it.
local function status(t)
  local remaining = math.min(idiv(t.cap - t.level, t.window), t.limit)
  local next_us = 0
  if remaining < t.limit then
    local target = t.cap - (remaining + 1) * t.window
    next_us = ceil_div(math.max(t.level - target, 0), t.limit)
  end
  return remaining, next_us, ceil_div(t.level, t.limit)
end

local tiers = {
  tier(1, tonumber(ARGV[1]), tonumber(ARGV[2])),
  tier(2, tonumber(ARGV[3]), tonumber(ARGV[4])),
}

local denied, retry = 0, 0
for n, t in ipairs(tiers) do
  if t.level + t.window > t.cap then
    local _, wait = status(t)
    if denied == 0 or wait > retry then
      denied, retry = n, wait
    end
  end
end

if denied == 0 then
  local ttl = 0
  for _, t in ipairs(tiers) do
    t.level = t.level + t.window
    ttl = math.max(ttl, ceil_div(t.level, t.limit))
  end
  local function int(x) return string.format('%.0f', x) end
  redis.call('HSET', KEYS[1],
    'bl', int(tiers[1].level), 'ba', int(tiers[1].at),
    'sl', int(tiers[2].level), 'sa', int(tiers[2].at))
  -- Gone once both tiers are full again: the same as a fresh bucket.
  redis.call('PEXPIRE', KEYS[1], ceil_div(ttl, 1000) + 1)
end

local reply = { denied == 0 and 1 or 0, denied, retry, now }
for _, t in ipairs(tiers) do
  local remaining, next_us, reset_us = status(t)
  table.insert(reply, remaining)
  table.insert(reply, next_us)
  table.insert(reply, reset_us)
end
return reply
