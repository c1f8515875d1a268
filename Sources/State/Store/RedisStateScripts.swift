/// The Lua scripts behind ``RedisStateStore``: each runs atomically inside Redis, so a lease grant, a renewal or a
/// complete-once step is all-or-nothing even with many workers racing.
///
/// A lease `name` is a hash `{holder, token}` with a TTL; its fencing counter is `name:fencing` (never expires), so
/// tokens only grow across grants.
enum RedisStateScripts {
    /// KEYS[1] lease, KEYS[2] fencing counter; ARGV[1] holder, ARGV[2] ttl ms. Returns the token, or nil if held.
    static let acquireLease = """
    if redis.call('EXISTS', KEYS[1]) == 1 then return false end
    local token = redis.call('INCR', KEYS[2])
    redis.call('HSET', KEYS[1], 'holder', ARGV[1], 'token', token)
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return token
    """

    /// KEYS[1] lease; ARGV[1] holder, ARGV[2] token, ARGV[3] ttl ms. Returns 1 if renewed, 0 if lost.
    static let renewLease = """
    if redis.call('HGET', KEYS[1], 'holder') == ARGV[1] and redis.call('HGET', KEYS[1], 'token') == ARGV[2] then
      redis.call('PEXPIRE', KEYS[1], ARGV[3])
      return 1
    end
    return 0
    """

    /// KEYS[1] lease; ARGV[1] holder, ARGV[2] token. Deletes the lease only if that grant holds it.
    static let releaseLease = """
    if redis.call('HGET', KEYS[1], 'holder') == ARGV[1] and redis.call('HGET', KEYS[1], 'token') == ARGV[2] then
      redis.call('DEL', KEYS[1])
      return 1
    end
    return 0
    """

    /// ARGV[1]: the plan as JSON — `{done, result, increments: [[key, field, delta]], records: [[key, {fields}]],
    /// events: [[stream, [field, value, ...]]], fence: {name, holder, token} | null}`.
    /// Returns `{'completed'}`, `{'done', field, value, ...}` or `{'fenced', holder, token}` (empty when no holder).
    /// Every effect is checked before the first write, so an error leaves nothing half-applied.
    static let completeOnce = """
    local plan = cjson.decode(ARGV[1])
    if plan.fence and plan.fence ~= cjson.null then
      local holder = redis.call('HGET', plan.fence.name, 'holder')
      local token = redis.call('HGET', plan.fence.name, 'token')
      if holder ~= plan.fence.holder or token ~= tostring(plan.fence.token) then
        if holder then return {'fenced', holder, token} end
        return {'fenced'}
      end
    end
    if redis.call('EXISTS', plan.done) == 1 then
      local stored = redis.call('HGETALL', plan.done)
      table.insert(stored, 1, 'done')
      return stored
    end
    local function expect_type(key, wanted)
      local found = redis.call('TYPE', key).ok
      if found ~= 'none' and found ~= wanted then
        return redis.error_reply('WRONGTYPE key ' .. key .. ' holds a ' .. found .. ', not a ' .. wanted)
      end
    end
    for _, inc in ipairs(plan.increments) do
      local bad = expect_type(inc[1], 'hash'); if bad then return bad end
      local value = redis.call('HGET', inc[1], inc[2])
      if value and not tonumber(value) then
        return redis.error_reply('NOTANUMBER field ' .. inc[2] .. ' of ' .. inc[1] .. ' is ' .. value)
      end
    end
    for _, rec in ipairs(plan.records) do
      local bad = expect_type(rec[1], 'hash'); if bad then return bad end
    end
    for _, ev in ipairs(plan.events) do
      local bad = expect_type(ev[1], 'stream'); if bad then return bad end
    end
    local result = {'_done', '1'}
    for field, value in pairs(plan.result) do table.insert(result, field); table.insert(result, value) end
    redis.call('HSET', plan.done, unpack(result))
    for _, inc in ipairs(plan.increments) do redis.call('HINCRBY', inc[1], inc[2], inc[3]) end
    for _, rec in ipairs(plan.records) do
      local fields = {}
      for field, value in pairs(rec[2]) do table.insert(fields, field); table.insert(fields, value) end
      if #fields > 0 then redis.call('HSET', rec[1], unpack(fields)) end
    end
    for _, ev in ipairs(plan.events) do redis.call('XADD', ev[1], '*', unpack(ev[2])) end
    return {'completed'}
    """
}
