namespace IsrProxy.LoadTool;

/// <summary>Latencies in milliseconds and their nearest-rank percentiles.</summary>
internal sealed class Latencies
{
    private readonly List<double> _values = [];

    public int Count => _values.Count;

    public void Add(TimeSpan elapsed) => _values.Add(elapsed.TotalMilliseconds);

    public double Percentile(double percent)
    {
        if (_values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = _values.Order().ToList();
        var rank = (int)Math.Ceiling(percent / 100 * sorted.Count);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
    }

    public string Summary() =>
        ResultLine.Fields(("p50_ms", Percentile(50)), ("p99_ms", Percentile(99)), ("max_ms", Percentile(100)));
}
