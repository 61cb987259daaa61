namespace IsrProxy.LoadTool;

/// <summary>Every record of a run, queried by kind and field values.</summary>
internal sealed class ResultSet(IReadOnlyList<ResultRecord> records)
{
    public static ResultSet Load(string path) =>
        new(File.Exists(path)
            ? File.ReadLines(path).Where(l => l.StartsWith("kind=", StringComparison.Ordinal)).Select(ResultRecord.Parse).ToList()
            : []);

    public IEnumerable<ResultRecord> Of(string kind, params (string Key, string Value)[] filters) =>
        records.Where(r => r.Is("kind", kind) && filters.All(f => r.Is(f.Key, f.Value)));

    /// <summary>Distinct values of <paramref name="key"/> among a kind's records, in the order they were measured.</summary>
    public IReadOnlyList<string> Values(string kind, string key, params (string Key, string Value)[] filters) =>
        Of(kind, filters).Select(r => r[key]).Where(v => v.Length > 0).Distinct(StringComparer.Ordinal).ToList();

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Where(v => !double.IsNaN(v)).Order().ToList();
        if (sorted.Count == 0)
        {
            return double.NaN;
        }

        var middle = sorted.Count / 2;
        return sorted.Count % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
