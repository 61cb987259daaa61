using System.Globalization;

namespace IsrProxy.LoadTool;

/// <summary>How numbers read in RESULTS.md; a missing figure is an em dash.</summary>
internal static class Format
{
    public static string Ms(double value) => Fixed(value, value < 10 ? 2 : 1);

    public static string Ratio(double value) => double.IsNaN(value) || double.IsInfinity(value) ? "—" : Fixed(value, 2) + "×";

    public static string Whole(double value) =>
        double.IsNaN(value) ? "—" : value.ToString("#,0", CultureInfo.InvariantCulture);

    public static string Fixed(double value, int decimals) =>
        double.IsNaN(value) ? "—" : value.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    /// <summary>"98%" from 0.98.</summary>
    public static string Percent(double fraction) => double.IsNaN(fraction) ? "—" : Whole(fraction * 100) + "%";

    /// <summary>"7.5 + 7.8": user and kernel microseconds.</summary>
    public static string CpuSplit(double user, double kernel) =>
        double.IsNaN(user) || double.IsNaN(kernel) ? "—" : $"{Fixed(user, 1)} + {Fixed(kernel, 1)}";

    /// <summary>"s1000" → "1,000 × 20 KB", "l1000" → "1,000 × 200 KB".</summary>
    public static string PageSet(string set) =>
        set.Length > 1 && long.TryParse(set.AsSpan(1), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count)
            ? $"{count.ToString("#,0", CultureInfo.InvariantCulture)} × {(set[0] == 'l' ? "200" : "20")} KB"
            : set;
}
