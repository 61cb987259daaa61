namespace IsrProxy.LoadTool;

/// <summary>
/// One target's HIT figures for one scenario: medians over its rounds, sums of counts, the CPU time its processes
/// spent per answer (user and kernel, in µs) over all its rounds, and how busy the load generator's core was meanwhile
/// (0 to 1).
/// </summary>
internal sealed record HitStats(
    int Rounds, double Rps, double P50, double P99, double P999, double BytesPerAnswer, double OriginRequests, double Errors,
    double UserUsPerAnswer, double KernelUsPerAnswer, double LoadBusy)
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
            rounds.Sum(r => r.Number("errors") + r.Number("non2xx")),
            CpuPerAnswer(rounds, "cpu_user_ticks", requests),
            CpuPerAnswer(rounds, "cpu_sys_ticks", requests),
            rounds.Sum(r => r.Number("load_busy_ticks")) / rounds.Sum(r => r.Number("load_total_ticks")));
    }

    /// <summary>Microseconds of CPU per answer from clock ticks summed over the rounds; NaN when a round lacks them.</summary>
    private static double CpuPerAnswer(IReadOnlyList<ResultRecord> rounds, string key, double requests) =>
        requests > 0 ? rounds.Sum(r => r.Number(key) / r.Number("clock_ticks")) * 1e6 / requests : double.NaN;
}
