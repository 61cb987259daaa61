using IsrProxy.Configuration;
using Microsoft.Extensions.Options;

namespace IsrProxy.Storage.Redis;

/// <summary>
/// Every Redis key, member and channel name the store uses, built here and nowhere else, each under the configured
/// prefix (<c>Isr:Store:KeyPrefix</c>) so several sites can share one Redis.
/// </summary>
internal sealed class RedisKeys
{
    private readonly string _prefix;

    public RedisKeys(IOptions<IsrOptions> options)
        : this(options.Value.Store.KeyPrefix)
    {
    }

    public RedisKeys(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        _prefix = prefix;
        Clock = prefix + "clock";
        Listing = prefix + "paths";
        Expiry = prefix + "expiry";
        Channel = prefix + "events";
    }

    public string Prefix => _prefix;

    /// <summary>Hash of the invalidation stamps of every tag, path and subtree: field = clock key, value = "stale:expired".</summary>
    public string Clock { get; }

    /// <summary>Sorted set (all scores 0) of <see cref="Member"/>s of stored responses, read by path prefix for the admin listing.</summary>
    public string Listing { get; }

    /// <summary>Sorted set of <see cref="Member"/>s of every entry scored by when it expires, to prune the listing and count entries.</summary>
    public string Expiry { get; }

    /// <summary>Pub/sub channel of entry writes and clock stamps.</summary>
    public string Channel { get; }

    /// <summary>Hash of one stored entry: render start, metadata, body and listing member.</summary>
    public string Entry(string key) => _prefix + "e:" + key;

    /// <summary>Set of the keys of entries carrying <paramref name="clockKey"/> (a tag, path or subtree).</summary>
    public string Index(string clockKey) => _prefix + "i:" + clockKey;

    /// <summary>String holding the token of the replica regenerating <paramref name="key"/>.</summary>
    public string Lock(string key) => _prefix + "lock:" + key;

    /// <summary>An entry in <see cref="Listing"/> and <see cref="Expiry"/>: path first, so members sort by path, then the key.</summary>
    public static string Member(CacheEntry entry) => entry.Path + "\0" + entry.Key;

    /// <summary>The key inside a <see cref="Member"/>.</summary>
    public static string KeyOfMember(string member)
    {
        var separator = member.IndexOf('\0', StringComparison.Ordinal);
        return separator < 0 ? member : member[(separator + 1)..];
    }
}
