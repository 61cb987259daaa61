using System.Globalization;
using System.Text.Json;

namespace IsrProxy.LoadTool;

/// <summary>
/// The HitPathBenchmarks figures from BenchmarkDotNet's full JSON report: mean time and bytes allocated per request
/// for each body size.
/// </summary>
internal sealed class HitPathAllocations
{
    private HitPathAllocations(IReadOnlyList<(int BodyBytes, double MeanNs, long Allocated)> rows) => Rows = rows;

    public IReadOnlyList<(int BodyBytes, double MeanNs, long Allocated)> Rows { get; }

    public static HitPathAllocations Load(string? folder)
    {
        var rows = new List<(int, double, long)>();
        var file = folder is not null && Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*HitPathBenchmarks-report-full*.json").FirstOrDefault()
            : null;
        if (file is null)
        {
            return new HitPathAllocations(rows);
        }

        using var document = JsonDocument.Parse(File.ReadAllText(file));
        foreach (var benchmark in document.RootElement.GetProperty("Benchmarks").EnumerateArray())
        {
            var parameters = benchmark.GetProperty("Parameters").GetString() ?? "";
            var body = parameters.StartsWith("BodyBytes=", StringComparison.Ordinal)
                && int.TryParse(parameters.AsSpan("BodyBytes=".Length), NumberStyles.Integer, CultureInfo.InvariantCulture, out var b) ? b : 0;
            var mean = benchmark.GetProperty("Statistics").GetProperty("Mean").GetDouble();
            var allocated = benchmark.GetProperty("Memory").GetProperty("BytesAllocatedPerOperation").GetInt64();
            rows.Add((body, mean, allocated));
        }

        return new HitPathAllocations(rows.OrderBy(r => r.Item1).ToList());
    }
}
