using System.Globalization;
using System.Text.RegularExpressions;

namespace IsrProxy.Tests.Fixtures;

/// <summary>
/// Reads the deployed Redis's settings from docker-compose.yml and deploy/: its arguments, memory sizes, and the
/// variables that carry its password (<c>${NAME}</c> interpolated by compose, <c>$(NAME)</c> expanded by Kubernetes).
/// </summary>
public static partial class RedisDeployment
{
    /// <summary>The value following <paramref name="option"/> in redis-server's arguments.</summary>
    public static string Option(IReadOnlyList<string> args, string option)
    {
        var at = args.ToList().IndexOf(option);
        Assert.True(at >= 0 && at + 1 < args.Count, $"redis-server should be started with {option} <value>.");
        return args[at + 1];
    }

    /// <summary>
    /// Replaces each variable reference with <c>$NAME</c>, so a compose value and a Kubernetes value naming the same
    /// variable compare equal.
    /// </summary>
    public static string Normalise(string value) => Reference().Replace(value, m => "$" + (m.Groups["compose"].Success ? m.Groups["compose"].Value : m.Groups["kube"].Value));

    /// <summary>The one variable <paramref name="value"/> refers to, or null.</summary>
    public static string? Variable(string value)
        => Reference().Match(value) is { Success: true } m ? (m.Groups["compose"].Success ? m.Groups["compose"].Value : m.Groups["kube"].Value) : null;

    /// <summary>Bytes of a redis.conf size ("320mb", "1gb": powers of 1024, as Redis reads them).</summary>
    public static long RedisBytes(string size) => Bytes(size, new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase)
    {
        ["kb"] = 1L << 10, ["mb"] = 1L << 20, ["gb"] = 1L << 30, ["k"] = 1000, ["m"] = 1000_000, ["g"] = 1000_000_000, [""] = 1,
    });

    /// <summary>Bytes of a Kubernetes quantity ("512Mi") or a compose size ("512m": powers of 1024 there).</summary>
    public static long KubernetesBytes(string size) => Bytes(size, new Dictionary<string, long>(StringComparer.Ordinal)
    {
        ["Ki"] = 1L << 10, ["Mi"] = 1L << 20, ["Gi"] = 1L << 30, ["k"] = 1000, ["M"] = 1000_000, ["G"] = 1000_000_000, [""] = 1,
    });

    public static long ComposeBytes(string size) => Bytes(size, new Dictionary<string, long>(StringComparer.OrdinalIgnoreCase)
    {
        ["k"] = 1L << 10, ["m"] = 1L << 20, ["g"] = 1L << 30, ["b"] = 1, [""] = 1,
    });

    private static long Bytes(string size, Dictionary<string, long> units)
    {
        var m = Size().Match(size);
        Assert.True(m.Success && units.ContainsKey(m.Groups["unit"].Value), $"'{size}' is not a size.");
        return long.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture) * units[m.Groups["unit"].Value];
    }

    [GeneratedRegex(@"\$\{(?<compose>[A-Za-z_][A-Za-z0-9_]*)(?:[:?\-][^}]*)?\}|\$\((?<kube>[A-Za-z_][A-Za-z0-9_]*)\)")]
    private static partial Regex Reference();

    [GeneratedRegex(@"^(?<n>[0-9]+)(?<unit>[A-Za-z]*)$")]
    private static partial Regex Size();
}
