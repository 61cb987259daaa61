namespace IsrProxy.LoadTool;

/// <summary>One target's HIT figures for one scenario: medians over its rounds, sums of counts.</summary>
internal sealed record HitStats(
    int Rounds, double Rps, double P50, double P99, double P999, double BytesPerAnswer, double OriginRequests, double Errors)
{
    public static HitStats? From(IReadOnlyList<ResultRecord> rounds)
    {
        if (rounds.Count == 0)
        {
            return null;
        }

        var requests = rounds.Sum(r => r.Number("requests"));
        return new HitStats(
            rounds.Count,
            ResultSet.Median(rounds.Select(r => r.Number("rps"))),
            ResultSet.Median(rounds.Select(r => r.Number("p50_ms"))),
            ResultSet.Median(rounds.Select(r => r.Number("p99_ms"))),
            ResultSet.Median(rounds.Select(r => r.Number("p999_ms"))),
            requests > 0 ? rounds.Sum(r => r.Number("bytes")) / requests : double.NaN,
            rounds.Sum(r => r.Number("origin_requests")),
            rounds.Sum(r => r.Number("errors") + r.Number("non2xx")));
    }
}
