namespace IsrProxy.Configuration;

/// <summary>The <c>Isr:Store</c> section: where cache entries live.</summary>
internal sealed class StoreOptions
{
    public const string MemoryKind = "Memory";
    public const string RedisKind = "Redis";

    /// <summary><c>Memory</c> or <c>Redis</c>, case-insensitive.</summary>
    public string Kind { get; set; } = MemoryKind;

    /// <summary>Redis connection string (StackExchange.Redis format), used when <see cref="Kind"/> is Redis.</summary>
    public string Redis { get; set; } = "localhost:6379";

    /// <summary>Put before every Redis key and channel, so several sites can share one Redis.</summary>
    public string KeyPrefix { get; set; } = "isr:";

    /// <summary>Bound of the Memory store.</summary>
    public long MemoryMaxBytes { get; set; } = 268_435_456;

    /// <summary>Largest response stored; anything bigger is passed through uncached.</summary>
    public long MaxEntryBytes { get; set; } = 8_388_608;

    /// <summary>Bound of the in-process level (L1) in front of Redis.</summary>
    public long L1MaxBytes { get; set; } = 67_108_864;

    /// <summary>Longest time an entry stays in Redis after it was written: abandoned entries expire by then.</summary>
    public int MaxStaleAgeSeconds { get; set; } = 2_592_000;

    /// <summary>How long one Redis operation of a request may take before the request goes on without the store.</summary>
    public int TimeoutMilliseconds { get; set; } = 1000;

    public bool IsRedis => string.Equals(Kind, RedisKind, StringComparison.OrdinalIgnoreCase);
}
