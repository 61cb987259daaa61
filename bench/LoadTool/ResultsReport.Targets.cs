namespace IsrProxy.LoadTool;

internal sealed partial class ResultsReport
{
    private const string Met = "met";
    private const string Missed = "**missed**";
    private const string NotMeasured = "not measured";

    private MarkdownTable Targets()
    {
        var table = new MarkdownTable("target", "measured", "goal", "verdict") { TextColumns = 4 };
        foreach (var phase in results.Values("hit", "phase"))
        {
            var clients = phase == Browser ? "browser-like clients" : "identity clients";
            foreach (var conns in results.Values("hit", "conns", ("phase", phase)))
            {
                foreach (var reference in new[] { Nginx, Varnish })
                {
                    var worst = WorstRatio(phase, conns, Isr, reference, s => s.Rps, lowest: true);
                    table.Add(
                        $"HIT req/s vs {Name(reference)}, {conns} connections, {clients}",
                        worst.Describe(),
                        "≥ 1.0× in every page set",
                        Verdict(worst.Ratio, r => r >= 1.0));
                }

                // Latencies are compared at one offered rate (the paced scenario); the closed loop measures each
                // target at its own rate, with the load generator's own queueing in the faster one's figures.
                var (sameRate, figures) = PacedP99AgainstNginx(phase, conns);
                var atOneRate = figures is null ? "at one rate: not run" : $"{Format.Ratio(sameRate)} at one rate ({figures})";
                var closedLoop = WorstRatio(phase, conns, Isr, Nginx, s => s.P99, lowest: false);
                table.Add(
                    $"HIT p99 vs {Name(Nginx)}, {conns} connections, {clients}",
                    $"{atOneRate}; closed loop, each at its own rate: {closedLoop.Describe()}",
                    "≤ 1.0× at one offered rate (p99 no higher than nginx's)",
                    Verdict(sameRate, r => r <= 1.0));
            }
        }

        foreach (var conns in results.Values("hit", "conns", ("phase", Identity)))
        {
            var redis = WorstRatio(Identity, conns, IsrRedis, Isr, s => s.Rps, lowest: true);
            table.Add(
                $"HIT req/s, Redis store + L1 vs memory store, {conns} connections",
                double.IsNaN(redis.Ratio) ? "not run (see the notes)" : redis.Describe(),
                "≥ 0.9×",
                Verdict(redis.Ratio, r => r >= 0.9));
        }

        var (staleP99, staleMax, hitP99, hitWhere) = StaleAgainstHit(Isr);
        table.Add(
            "STALE first-request latency",
            $"p99 {Format.Ms(staleP99)} ms, max {Format.Ms(staleMax)} ms; HIT p99 {Format.Ms(hitP99)} ms ({hitWhere}); answered {string.Join(" ", results.Of("stale", ("target", Isr)).Select(r => r["classes"]))}",
            "p99 ≤ 2 × HIT p99, never the origin's 200 ms",
            StaleAnswered(Isr) ? Verdict(staleP99, p => p <= 2 * hitP99 && staleMax < 200) : NotMeasured);

        var collapses = results.Of("collapse", ("target", Isr)).Select(r => r.Number("origin_requests")).ToList();
        table.Add(
            "200 concurrent misses on one path",
            collapses.Count == 0 ? "—" : $"{string.Join(", ", collapses.Select(Format.Whole))} origin request(s) ({collapses.Count} round(s))",
            "exactly 1 origin request",
            collapses.Count == 0 ? NotMeasured : collapses.All(c => c == 1) ? Met : Missed);

        var missOverhead = Median("miss", Isr, "p50_ms") - Median("miss", Origin, "p50_ms");
        table.Add(
            "MISS overhead vs the origin direct, p50",
            $"{Format.Fixed(missOverhead, 3)} ms",
            "≤ 1 ms",
            Verdict(missOverhead, o => o <= 1.0));

        var small = allocations.Rows.FirstOrDefault(r => r.BodyBytes == 20 * 1024);
        var large = allocations.Rows.FirstOrDefault(r => r.BodyBytes == 200 * 1024);
        var measured = small.BodyBytes > 0 && large.BodyBytes > 0;
        table.Add(
            "HIT path allocations (BenchmarkDotNet MemoryDiagnoser)",
            measured ? $"{Format.Whole(small.Allocated)} B per request with a 20 KB body, {Format.Whole(large.Allocated)} B with 200 KB" : "—",
            "nothing proportional to the body (difference < 1 KB for 180 KB more body)",
            measured ? (Math.Abs(large.Allocated - small.Allocated) < 1024 ? Met : Missed) : NotMeasured);

        var purgeOne = Median("purge", Isr, "p50_ms", ("entries", "1"));
        var purgeAll = results.Of("purge", ("target", Isr)).Where(r => !r.Is("entries", "1")).ToList();
        var purgeRatio = ResultSet.Median(purgeAll.Select(r => r.Number("p50_ms"))) / purgeOne;
        table.Add(
            "Tag purge over every cached page vs over one (SPEC §3)",
            purgeAll.Count == 0 ? "—" : $"{Format.Ratio(purgeRatio)} ({Format.Whole(purgeAll[0].Number("entries"))} entries)",
            "cost does not grow with entries (≤ 2×)",
            Verdict(purgeRatio, r => r <= 2.0));
        return table;
    }

    /// <summary>Whether every timed request was answered STALE: otherwise the pages had not expired yet.</summary>
    private bool StaleAnswered(string target)
    {
        var rounds = results.Of("stale", ("target", target)).ToList();
        return rounds.Count > 0 && rounds.All(r => r["classes"].StartsWith("STALE:", StringComparison.Ordinal) && !r["classes"].Contains(','));
    }

    private static string Verdict(double value, Func<double, bool> goal) =>
        double.IsNaN(value) ? NotMeasured : goal(value) ? Met : Missed;

    private double Median(string kind, string target, string key, (string Key, string Value) filter) =>
        ResultSet.Median(results.Of(kind, ("target", target), filter).Select(r => r.Number(key)));

    /// <summary>The ratio of <paramref name="target"/> to <paramref name="reference"/> in the page set where it is worst.</summary>
    private WorstCase WorstRatio(string phase, string conns, string target, string reference, Func<HitStats, double> figure, bool lowest)
    {
        var worst = new WorstCase(double.NaN, "", double.NaN, double.NaN);
        foreach (var set in results.Values("hit", "set", ("phase", phase), ("conns", conns)))
        {
            var mine = Hit(phase, set, conns, target);
            var theirs = Hit(phase, set, conns, reference);
            if (mine is null || theirs is null)
            {
                continue;
            }

            var ratio = figure(mine) / figure(theirs);
            if (double.IsNaN(worst.Ratio) || (lowest ? ratio < worst.Ratio : ratio > worst.Ratio))
            {
                worst = new WorstCase(ratio, set, figure(mine), figure(theirs));
            }
        }

        return worst;
    }

    /// <summary>
    /// A target's STALE first-request p99 and max, and the HIT p99 it is held to: the same target's at one offered rate
    /// (the paced scenario, identity clients, lowest concurrency), as the HIT p99 targets are judged; without a paced
    /// run, its closed-loop p99 on 20 KB pages at the lowest concurrency.
    /// </summary>
    private (double P99, double Max, double HitP99, string HitWhere) StaleAgainstHit(string target)
    {
        var p99 = Median("stale", target, "p99_ms");
        var max = results.Of("stale", ("target", target)).Select(r => r.Number("max_ms")).DefaultIfEmpty(double.NaN).Max();
        if (results.Values("paced", "conns", ("phase", Identity)).FirstOrDefault() is { } pacedConns
            && Paced(Identity, pacedConns, target) is { } paced)
        {
            var first = results.Of("paced", ("phase", Identity), ("conns", pacedConns)).First();
            return (p99, max, paced.P99, $"at one rate, {Format.Whole(first.Number("rate"))} req/s on {Format.PageSet(first["set"])}, {pacedConns} connections");
        }

        var set = results.Values("hit", "set", ("phase", Identity)).FirstOrDefault(s => s.StartsWith('s'));
        var conns = results.Values("hit", "conns", ("phase", Identity)).FirstOrDefault();
        if (set is null || conns is null)
        {
            return (p99, max, double.NaN, "no HIT run");
        }

        return (p99, max, Hit(Identity, set, conns, target)?.P99 ?? double.NaN, $"closed loop, {Format.PageSet(set)}, {conns} connections");
    }

    private readonly record struct WorstCase(double Ratio, string Set, double Mine, double Theirs)
    {
        public string Describe() =>
            double.IsNaN(Ratio) ? "—" : $"{Format.Ratio(Ratio)} ({Figure(Mine)} vs {Figure(Theirs)}, worst: {Format.PageSet(Set)})";

        private static string Figure(double value) => value < 100 ? Format.Fixed(value, 2) : Format.Whole(value);
    }
}
