using System.Security.Cryptography;
using System.Text;

namespace IsrProxy.Redis;

/// <summary>
/// A Lua script and its SHA1, computed locally, so it is normally run with EVALSHA (only the hash goes over the wire).
/// See <see cref="RedisCommands.EvaluateAsync"/> for the NOSCRIPT fallback.
/// </summary>
internal sealed class RedisScript
{
    private long _reloads;

    public RedisScript(string source)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(source);
        Source = source;
        Sha1 = Convert.ToHexStringLower(SHA1.HashData(Encoding.UTF8.GetBytes(source)));
    }

    public string Source { get; }

    /// <summary>Lower-case hex SHA1 of the UTF-8 source, as Redis computes it.</summary>
    public string Sha1 { get; }

    /// <summary>How often the server did not know the script (after a restart or SCRIPT FLUSH) and it was sent in full.</summary>
    public long Reloads => Interlocked.Read(ref _reloads);

    internal void CountReload() => Interlocked.Increment(ref _reloads);
}
