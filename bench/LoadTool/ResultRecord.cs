using System.Globalization;

namespace IsrProxy.LoadTool;

/// <summary>One line of bench/out/results.txt: <c>kind=hit target=nginx rps=… …</c>.</summary>
internal sealed class ResultRecord(IReadOnlyDictionary<string, string> fields)
{
    public string this[string key] => fields.TryGetValue(key, out var value) ? value : "";

    public bool Is(string key, string value) => string.Equals(this[key], value, StringComparison.Ordinal);

    public double Number(string key) =>
        double.TryParse(this[key], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : double.NaN;

    public static ResultRecord Parse(string line)
    {
        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = part.IndexOf('=');
            if (equals > 0)
            {
                fields[part[..equals]] = part[(equals + 1)..];
            }
        }

        return new ResultRecord(fields);
    }
}
