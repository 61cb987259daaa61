using System.Globalization;
using System.Runtime.CompilerServices;

namespace IsrProxy.Redis;

/// <summary>
/// Typed wrappers for the commands the cache store uses. Each is one command (one round trip, atomic on the server);
/// keys are UTF-8 text, values raw bytes. The byte arrays returned are owned by the caller.
/// </summary>
internal static class RedisCommands
{
    /// <summary>GET: the value, or null when the key does not exist.</summary>
    public static async Task<byte[]?> GetAsync(this RedisConnection connection, string key, CancellationToken ct)
    {
        var reply = await connection.ExecuteAsync(new RedisCommand("GET", key), ct).ConfigureAwait(false);
        return reply.AsBytes();
    }

    /// <summary>SET with an optional PX expiry and NX/XX condition; false when the condition kept the value from being set.</summary>
    public static async Task<bool> SetAsync(
        this RedisConnection connection, string key, ReadOnlyMemory<byte> value, TimeSpan? expiry, RedisSetCondition condition, CancellationToken ct)
    {
        var args = new List<RedisArg>(5) { key, value };
        if (expiry is { } ttl)
        {
            args.Add("PX");
            args.Add(ToMilliseconds(ttl, nameof(expiry)));
        }

        switch (condition)
        {
            case RedisSetCondition.IfNotExists:
                args.Add("NX");
                break;
            case RedisSetCondition.IfExists:
                args.Add("XX");
                break;
        }

        var reply = await connection.ExecuteAsync(new RedisCommand("SET", [.. args]), ct).ConfigureAwait(false);
        return !reply.IsNull;
    }

    /// <summary>DEL: how many of the keys existed.</summary>
    public static Task<long> DelAsync(this RedisConnection connection, string key, CancellationToken ct) =>
        IntegerAsync(connection, new RedisCommand("DEL", key), ct);

    public static Task<long> DelAsync(this RedisConnection connection, IReadOnlyList<string> keys, CancellationToken ct) =>
        IntegerAsync(connection, new RedisCommand("DEL", Texts(keys, nameof(keys))), ct);

    /// <summary>EXPIRE: false when the key does not exist.</summary>
    public static async Task<bool> ExpireAsync(this RedisConnection connection, string key, long seconds, CancellationToken ct) =>
        await IntegerAsync(connection, new RedisCommand("EXPIRE", key, seconds), ct).ConfigureAwait(false) == 1;

    /// <summary>PEXPIRE: false when the key does not exist.</summary>
    public static async Task<bool> PExpireAsync(this RedisConnection connection, string key, long milliseconds, CancellationToken ct) =>
        await IntegerAsync(connection, new RedisCommand("PEXPIRE", key, milliseconds), ct).ConfigureAwait(false) == 1;

    /// <summary>SADD: how many members were new.</summary>
    public static Task<long> SAddAsync(this RedisConnection connection, string key, IReadOnlyList<string> members, CancellationToken ct) =>
        IntegerAsync(connection, new RedisCommand("SADD", KeyAnd(key, members, nameof(members))), ct);

    /// <summary>SREM: how many members were removed.</summary>
    public static Task<long> SRemAsync(this RedisConnection connection, string key, IReadOnlyList<string> members, CancellationToken ct) =>
        IntegerAsync(connection, new RedisCommand("SREM", KeyAnd(key, members, nameof(members))), ct);

    public static async Task<IReadOnlyList<string>> SMembersAsync(this RedisConnection connection, string key, CancellationToken ct)
    {
        var reply = await connection.ExecuteAsync(new RedisCommand("SMEMBERS", key), ct).ConfigureAwait(false);
        return Strings(reply);
    }

    /// <summary>One SSCAN step from <paramref name="cursor"/> (0 to start); <paramref name="count"/> is a hint to the server.</summary>
    public static async Task<RedisScanPage> SScanAsync(
        this RedisConnection connection, string key, long cursor, string? match, int count, CancellationToken ct)
    {
        var args = new List<RedisArg>(6) { key, cursor };
        if (match is not null)
        {
            args.Add("MATCH");
            args.Add(match);
        }

        args.Add("COUNT");
        args.Add(count);
        var reply = await connection.ExecuteAsync(new RedisCommand("SSCAN", [.. args]), ct).ConfigureAwait(false);
        var items = reply.Items;
        if (items.Count != 2)
        {
            throw new InvalidOperationException($"Redis SSCAN reply has {items.Count} elements; expected 2.");
        }

        return new RedisScanPage(items[0].AsInt64(), Strings(items[1]));
    }

    /// <summary>All members of a set through repeated SSCAN, without one huge reply; members may repeat (as SSCAN allows).</summary>
    public static async IAsyncEnumerable<string> SScanAllAsync(
        this RedisConnection connection, string key, int pageSize, [EnumeratorCancellation] CancellationToken ct)
    {
        long cursor = 0;
        do
        {
            var page = await connection.SScanAsync(key, cursor, null, pageSize, ct).ConfigureAwait(false);
            foreach (var member in page.Members)
            {
                yield return member;
            }

            cursor = page.Cursor;
        }
        while (cursor != 0);
    }

    /// <summary>MGET: one entry per key, null where the key does not exist.</summary>
    public static async Task<IReadOnlyList<byte[]?>> MGetAsync(this RedisConnection connection, IReadOnlyList<string> keys, CancellationToken ct)
    {
        var reply = await connection.ExecuteAsync(new RedisCommand("MGET", Texts(keys, nameof(keys))), ct).ConfigureAwait(false);
        var items = reply.Items;
        var values = new byte[]?[items.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = items[i].AsBytes();
        }

        return values;
    }

    /// <summary>HSET of one field: 1 when the field is new, 0 when it was overwritten.</summary>
    public static Task<long> HSetAsync(this RedisConnection connection, string key, string field, ReadOnlyMemory<byte> value, CancellationToken ct) =>
        IntegerAsync(connection, new RedisCommand("HSET", key, field, value), ct);

    /// <summary>HSET of several fields at once: how many fields were new.</summary>
    public static Task<long> HSetAsync(
        this RedisConnection connection, string key, IReadOnlyList<KeyValuePair<string, ReadOnlyMemory<byte>>> fields, CancellationToken ct)
    {
        if (fields.Count == 0)
        {
            throw new ArgumentException($"HSET of '{key}' needs at least one field.", nameof(fields));
        }

        var args = new RedisArg[1 + (fields.Count * 2)];
        args[0] = key;
        for (var i = 0; i < fields.Count; i++)
        {
            args[1 + (i * 2)] = fields[i].Key;
            args[2 + (i * 2)] = fields[i].Value;
        }

        return IntegerAsync(connection, new RedisCommand("HSET", args), ct);
    }

    public static async Task<byte[]?> HGetAsync(this RedisConnection connection, string key, string field, CancellationToken ct)
    {
        var reply = await connection.ExecuteAsync(new RedisCommand("HGET", key, field), ct).ConfigureAwait(false);
        return reply.AsBytes();
    }

    /// <summary>HGETALL: every field and value; empty when the key does not exist.</summary>
    public static async Task<IReadOnlyDictionary<string, byte[]>> HGetAllAsync(this RedisConnection connection, string key, CancellationToken ct)
    {
        var reply = await connection.ExecuteAsync(new RedisCommand("HGETALL", key), ct).ConfigureAwait(false);
        var items = reply.Items;
        if (items.Count % 2 != 0)
        {
            throw new InvalidOperationException($"Redis HGETALL reply for '{key}' has an odd number ({items.Count}) of elements.");
        }

        var result = new Dictionary<string, byte[]>(items.Count / 2, StringComparer.Ordinal);
        for (var i = 0; i < items.Count; i += 2)
        {
            result[items[i].AsString() ?? string.Empty] = items[i + 1].AsBytes() ?? [];
        }

        return result;
    }

    /// <summary>HMGET: one value per field, null where the field (or the whole key) does not exist.</summary>
    public static async Task<IReadOnlyList<byte[]?>> HMGetAsync(
        this RedisConnection connection, string key, IReadOnlyList<string> fields, CancellationToken ct)
    {
        var reply = await connection.ExecuteAsync(new RedisCommand("HMGET", KeyAnd(key, fields, nameof(fields))), ct).ConfigureAwait(false);
        var items = reply.Items;
        if (items.Count != fields.Count)
        {
            throw new InvalidOperationException($"Redis HMGET reply for '{key}' has {items.Count} elements; expected {fields.Count}.");
        }

        var values = new byte[]?[items.Count];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = items[i].AsBytes();
        }

        return values;
    }

    /// <summary>HDEL: how many of the fields existed.</summary>
    public static Task<long> HDelAsync(this RedisConnection connection, string key, IReadOnlyList<string> fields, CancellationToken ct) =>
        IntegerAsync(connection, new RedisCommand("HDEL", KeyAnd(key, fields, nameof(fields))), ct);

    /// <summary>One HSCAN step from <paramref name="cursor"/> (0 to start); <paramref name="count"/> is a hint to the server.</summary>
    public static async Task<RedisHashScanPage> HScanAsync(this RedisConnection connection, string key, long cursor, int count, CancellationToken ct)
    {
        var reply = await connection.ExecuteAsync(new RedisCommand("HSCAN", key, cursor, "COUNT", count), ct).ConfigureAwait(false);
        var items = reply.Items;
        if (items.Count != 2)
        {
            throw new InvalidOperationException($"Redis HSCAN reply has {items.Count} elements; expected 2.");
        }

        var pairs = items[1].Items;
        if (pairs.Count % 2 != 0)
        {
            throw new InvalidOperationException($"Redis HSCAN reply for '{key}' has an odd number ({pairs.Count}) of field and value elements.");
        }

        var fields = new KeyValuePair<string, byte[]>[pairs.Count / 2];
        for (var i = 0; i < fields.Length; i++)
        {
            fields[i] = new(pairs[2 * i].AsString() ?? string.Empty, pairs[(2 * i) + 1].AsBytes() ?? []);
        }

        return new RedisHashScanPage(items[0].AsInt64(), fields);
    }

    /// <summary>
    /// ZRANGEBYLEX with LIMIT: up to <paramref name="count"/> members from <paramref name="min"/> to <paramref name="max"/>,
    /// given in the command's own syntax (<c>[</c> or <c>(</c> then the bytes, or <c>-</c> / <c>+</c>).
    /// </summary>
    public static async Task<IReadOnlyList<string>> ZRangeByLexAsync(
        this RedisConnection connection, string key, ReadOnlyMemory<byte> min, ReadOnlyMemory<byte> max, int count, CancellationToken ct)
    {
        var reply = await connection.ExecuteAsync(new RedisCommand("ZRANGEBYLEX", key, min, max, "LIMIT", 0L, count), ct).ConfigureAwait(false);
        return Strings(reply);
    }

    /// <summary>ZREM: how many members were removed.</summary>
    public static Task<long> ZRemAsync(this RedisConnection connection, string key, IReadOnlyList<string> members, CancellationToken ct) =>
        IntegerAsync(connection, new RedisCommand("ZREM", KeyAnd(key, members, nameof(members))), ct);

    /// <summary>PUBLISH: how many subscribers received the message (on this server).</summary>
    public static Task<long> PublishAsync(this RedisConnection connection, string channel, ReadOnlyMemory<byte> message, CancellationToken ct) =>
        IntegerAsync(connection, new RedisCommand("PUBLISH", channel, message), ct);

    /// <summary>PING: the round-trip time.</summary>
    public static async Task<TimeSpan> PingAsync(this RedisConnection connection, TimeProvider time, CancellationToken ct)
    {
        var started = time.GetTimestamp();
        var reply = await connection.ExecuteAsync(new RedisCommand("PING"), ct).ConfigureAwait(false);
        if (reply.AsString() != "PONG")
        {
            throw new InvalidOperationException($"Redis PING got {reply} instead of PONG.");
        }

        return time.GetElapsedTime(started);
    }

    /// <summary>EVALSHA: runs a script the server already holds; fails with NOSCRIPT when it does not.</summary>
    public static Task<RespValue> EvalShaAsync(
        this RedisConnection connection, string sha1, IReadOnlyList<RedisArg> keys, IReadOnlyList<RedisArg> args, CancellationToken ct) =>
        connection.ExecuteAsync(new RedisCommand("EVALSHA", ScriptArgs(sha1, keys, args)), ct);

    /// <summary>
    /// Runs <paramref name="script"/> with EVALSHA; when the server does not hold it (NOSCRIPT, after a restart or
    /// SCRIPT FLUSH) runs it once more with EVAL, which also loads it for the next EVALSHA.
    /// </summary>
    public static async Task<RespValue> EvaluateAsync(
        this RedisConnection connection, RedisScript script, IReadOnlyList<RedisArg> keys, IReadOnlyList<RedisArg> args, CancellationToken ct)
    {
        try
        {
            return await connection.EvalShaAsync(script.Sha1, keys, args, ct).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.ErrorCode == "NOSCRIPT")
        {
            script.CountReload();
            return await connection.ExecuteAsync(new RedisCommand("EVAL", ScriptArgs(script.Source, keys, args)), ct).ConfigureAwait(false);
        }
    }

    private static async Task<long> IntegerAsync(RedisConnection connection, RedisCommand command, CancellationToken ct)
    {
        var reply = await connection.ExecuteAsync(command, ct).ConfigureAwait(false);
        return reply.AsInt64();
    }

    private static RedisArg[] ScriptArgs(string scriptOrSha, IReadOnlyList<RedisArg> keys, IReadOnlyList<RedisArg> args)
    {
        var all = new RedisArg[2 + keys.Count + args.Count];
        all[0] = scriptOrSha;
        all[1] = keys.Count;
        for (var i = 0; i < keys.Count; i++)
        {
            all[2 + i] = keys[i];
        }

        for (var i = 0; i < args.Count; i++)
        {
            all[2 + keys.Count + i] = args[i];
        }

        return all;
    }

    private static RedisArg[] Texts(IReadOnlyList<string> values, string parameter)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException($"'{parameter}' is empty; the command needs at least one.", parameter);
        }

        var args = new RedisArg[values.Count];
        for (var i = 0; i < values.Count; i++)
        {
            args[i] = values[i];
        }

        return args;
    }

    private static RedisArg[] KeyAnd(string key, IReadOnlyList<string> values, string parameter)
    {
        if (values.Count == 0)
        {
            throw new ArgumentException($"'{parameter}' for '{key}' is empty; the command needs at least one.", parameter);
        }

        var args = new RedisArg[1 + values.Count];
        args[0] = key;
        for (var i = 0; i < values.Count; i++)
        {
            args[1 + i] = values[i];
        }

        return args;
    }

    private static IReadOnlyList<string> Strings(RespValue reply)
    {
        var items = reply.Items;
        var result = new string[items.Count];
        for (var i = 0; i < result.Length; i++)
        {
            result[i] = items[i].AsString() ?? string.Empty;
        }

        return result;
    }

    private static long ToMilliseconds(TimeSpan value, string parameter) =>
        value > TimeSpan.Zero
            ? Math.Max(1, (long)Math.Ceiling(value.TotalMilliseconds))
            : throw new ArgumentOutOfRangeException(parameter, value, string.Create(CultureInfo.InvariantCulture, $"A Redis expiry must be positive; got {value}."));
}
