namespace IsrProxy.Configuration;

/// <summary>The <c>Isr:Store</c> section: where cache entries live.</summary>
internal sealed class StoreOptions
{
    public const string MemoryKind = "Memory";
    public const string RedisKind = "Redis";

    /// <summary><c>Memory</c> or <c>Redis</c>, case-insensitive.</summary>
    public string Kind { get; set; } = MemoryKind;

    /// <summary>Redis connection string, used when <see cref="Kind"/> is Redis.</summary>
    public string Redis { get; set; } = "localhost:6379";

    public string KeyPrefix { get; set; } = "isr:";

    /// <summary>Bound of the in-process store (the only store for Memory, L1 for Redis).</summary>
    public long MemoryMaxBytes { get; set; } = 268_435_456;

    /// <summary>Largest response stored; anything bigger is passed through uncached.</summary>
    public long MaxEntryBytes { get; set; } = 8_388_608;

    public bool IsRedis => string.Equals(Kind, RedisKind, StringComparison.OrdinalIgnoreCase);
}
