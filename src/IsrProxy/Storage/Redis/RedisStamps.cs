using System.Globalization;

namespace IsrProxy.Storage.Redis;

/// <summary>
/// Instants as Lua scripts compare them: UTC ticks as 19 decimal digits, zero-padded. Lua numbers are doubles and lose
/// ticks past 2^53, so the scripts compare the digits in two halves instead.
/// </summary>
internal static class RedisStamps
{
    public const string None = "0000000000000000000";

    public static string Format(DateTimeOffset at) => at.UtcTicks.ToString("D19", CultureInfo.InvariantCulture);

    public static bool TryParse(ReadOnlySpan<char> digits, out DateTimeOffset? at)
    {
        at = null;
        if (digits.Length != 19 || !long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            || ticks > DateTimeOffset.MaxValue.UtcTicks)
        {
            return false;
        }

        at = ticks == 0 ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        return true;
    }

    /// <summary>A clock hash value, "stale:expired", each 19 digits (<see cref="None"/> for never).</summary>
    public static bool TryParseClockValue(string value, out DateTimeOffset? staleAt, out DateTimeOffset? expiredAt)
    {
        expiredAt = null;
        staleAt = null;
        return value.Length == 39 && value[19] == ':'
            && TryParse(value.AsSpan(0, 19), out staleAt)
            && TryParse(value.AsSpan(20), out expiredAt);
    }
}
