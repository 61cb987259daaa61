using IsrProxy.Redis;

namespace IsrProxy.Storage.Redis;

/// <summary>
/// The Lua scripts of the Redis store. Each change to shared data is one script, atomic on the server: no replica ever
/// reads a value, decides in C# and writes it back. Publishing from inside the script orders the message after the
/// write, so a replica that hears of a change and reads finds it.
/// </summary>
internal sealed class RedisStoreScripts
{
    // Compares two instants written by RedisStamps.Format (19 digits): true when a is later than b.
    private const string Later = """
        local function later(a, b)
          local ah, bh = tonumber(string.sub(a, 1, 10)), tonumber(string.sub(b, 1, 10))
          if ah ~= bh then return ah > bh end
          return tonumber(string.sub(a, 11)) > tonumber(string.sub(b, 11))
        end

        """;

    /// <summary>
    /// Stores an entry unless a render that started later is there. KEYS: entry, listing, expiry, then the entry's index
    /// sets. ARGV: render start, metadata, body, TTL (ms), expiry score (unix ms), member, key, now (unix ms), channel,
    /// message, listed (1 or 0). Returns -1 when refused, else the number of entries.
    /// </summary>
    public RedisScript Write { get; } = new(Later + """
        local current = redis.call('HGET', KEYS[1], 'r')
        if current and later(current, ARGV[1]) then return -1 end
        local ttl = tonumber(ARGV[4])
        redis.call('HSET', KEYS[1], 'r', ARGV[1], 'm', ARGV[2], 'b', ARGV[3], 'p', ARGV[6])
        redis.call('PEXPIRE', KEYS[1], ttl)
        for i = 4, #KEYS do
          redis.call('SADD', KEYS[i], ARGV[7])
          if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
        end
        if ARGV[11] == '1' then redis.call('ZADD', KEYS[2], 0, ARGV[6]) end
        redis.call('ZADD', KEYS[3], ARGV[5], ARGV[6])
        local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', ARGV[8], 'LIMIT', 0, 64)
        for _, member in ipairs(expired) do
          redis.call('ZREM', KEYS[3], member)
          redis.call('ZREM', KEYS[2], member)
        end
        for i = 2, 3 do
          if redis.call('PTTL', KEYS[i]) < ttl then redis.call('PEXPIRE', KEYS[i], ttl) end
        end
        redis.call('PUBLISH', ARGV[9], ARGV[10])
        return redis.call('ZCARD', KEYS[3])
        """);

    /// <summary>
    /// Removes an entry and its listing members. KEYS: entry, listing, expiry. ARGV: channel, message. Returns the number
    /// of entries left.
    /// </summary>
    public RedisScript Remove { get; } = new("""
        local member = redis.call('HGET', KEYS[1], 'p')
        if redis.call('DEL', KEYS[1]) > 0 then
          if member then
            redis.call('ZREM', KEYS[2], member)
            redis.call('ZREM', KEYS[3], member)
          end
          redis.call('PUBLISH', ARGV[1], ARGV[2])
        end
        return redis.call('ZCARD', KEYS[3])
        """);

    /// <summary>
    /// Raises clock stamps; they only ever move forward, and an expire stamp raises the stale one too. KEYS: clock hash.
    /// ARGV: channel, then groups of clock key, kind ('s' stale or 'x' expire), instant, message. Returns the number of
    /// stamps written. The hash never expires (a TTL left by an older version is removed), so a Redis that evicts only
    /// keys with a TTL (<c>volatile-lru</c>) can never forget a purge; obsolete stamps are pruned on resynchronisation.
    /// </summary>
    public RedisScript Mark { get; } = new(Later + """
        local none = '0000000000000000000'
        local n = 0
        for i = 2, #ARGV, 4 do
          local field, kind, at = ARGV[i], ARGV[i + 1], ARGV[i + 2]
          local stale, expired = none, none
          local current = redis.call('HGET', KEYS[1], field)
          if current then
            stale, expired = string.sub(current, 1, 19), string.sub(current, 21, 39)
          end
          if later(at, stale) then stale = at end
          if kind == 'x' and later(at, expired) then expired = at end
          redis.call('HSET', KEYS[1], field, stale .. ':' .. expired)
          redis.call('PUBLISH', ARGV[1], ARGV[i + 3])
          n = n + 1
        end
        redis.call('PERSIST', KEYS[1])
        return n
        """);

    /// <summary>
    /// Takes the regeneration lock of a key unless it is held or a render newer than the stale one is already stored.
    /// The lock is a string "token:deadline" (deadline in the server's unix ms) without a TTL, so eviction of keys with a
    /// TTL never frees a held lock; a lock past its deadline is free and taken over. KEYS: lock, entry. ARGV: token,
    /// hold (ms), the stale entry's render start. Returns 1 taken, 0 held elsewhere, 2 already regenerated.
    /// </summary>
    public RedisScript Acquire { get; } = new(Later + """
        local stored = redis.call('HGET', KEYS[2], 'r')
        if stored and later(stored, ARGV[3]) then return 2 end
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local held = redis.call('GET', KEYS[1])
        if held then
          local deadline = tonumber(string.match(held, ':(%d+)$'))
          if deadline and deadline > now then return 0 end
        end
        redis.call('SET', KEYS[1], ARGV[1] .. ':' .. (now + tonumber(ARGV[2])))
        redis.call('PERSIST', KEYS[1])
        return 1
        """);

    /// <summary>Releases a lock only for the replica that holds it. KEYS: lock. ARGV: token. Returns 1 when released.</summary>
    public RedisScript Release { get; } = new("""
        local held = redis.call('GET', KEYS[1])
        if held and string.sub(held, 1, #ARGV[1] + 1) == ARGV[1] .. ':' then return redis.call('DEL', KEYS[1]) end
        return 0
        """);
}
