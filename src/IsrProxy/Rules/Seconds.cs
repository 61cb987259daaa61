using System.Globalization;

namespace IsrProxy.Rules;

/// <summary>Durations written in configuration as a number of seconds.</summary>
internal static class Seconds
{
    /// <summary>
    /// The largest accepted value (about 68 years); anything above is a typo, and TimeSpan arithmetic on it
    /// could overflow.
    /// </summary>
    public const double Max = int.MaxValue;

    /// <summary>Parses a non-negative number of seconds such as <c>60</c>, <c>0.5</c> or <c>1e3</c> (JSON allows exponents).</summary>
    /// <returns>False when the text is not such a number or is above <see cref="Max"/>.</returns>
    public static bool TryParse(string text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var seconds)
            || !IsInRange(seconds))
        {
            return false;
        }

        value = ToTimeSpan(seconds);
        return true;
    }

    /// <summary>True when the text is a number, but one above <see cref="Max"/>.</summary>
    public static bool IsAboveMax(string text) =>
        double.TryParse(text, NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent, CultureInfo.InvariantCulture, out var seconds)
        && seconds > Max;

    /// <summary>True for a finite value from 0 to <see cref="Max"/>.</summary>
    public static bool IsInRange(double seconds) => double.IsFinite(seconds) && seconds is >= 0 and <= Max;

    /// <summary>Converts seconds in range to a TimeSpan; a positive value never rounds down to zero.</summary>
    public static TimeSpan ToTimeSpan(double seconds)
    {
        var ticks = (long)Math.Round(seconds * TimeSpan.TicksPerSecond);

        // Zero means "never cache" for Revalidate, so a tiny positive value must stay positive.
        return TimeSpan.FromTicks(seconds > 0 ? Math.Max(ticks, 1) : 0);
    }
}
