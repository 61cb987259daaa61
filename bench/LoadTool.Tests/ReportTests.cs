using System.Globalization;

namespace IsrProxy.LoadTool.Tests;

/// <summary>bench/RESULTS.md as rendered from a run's records: which figures feed each target, and its verdict.</summary>
public sealed class ReportTests
{
    private const string RpsVsNginx64 = "HIT req/s vs nginx proxy_cache, 64 connections, identity clients";
    private const string RpsVsVarnish64 = "HIT req/s vs Varnish, 64 connections, identity clients";
    private const string P99VsNginx64 = "HIT p99 vs nginx proxy_cache, 64 connections, identity clients";

    [Fact]
    public void RateTargets_AreJudgedOnThePageSetWhereIsrProxyDoesWorst()
    {
        var run = new Run()
            .Hit("s1000", "isr", rps: 100_000).Hit("s1000", "nginx", rps: 80_000).Hit("s1000", "varnish", rps: 50_000)
            .Hit("l1000", "isr", rps: 20_000).Hit("l1000", "nginx", rps: 22_000).Hit("l1000", "varnish", rps: 15_000);

        var report = run.Render();

        Assert.Equal(["0.91× (20,000 vs 22,000, worst: 1,000 × 200 KB)", "≥ 1.0× in every page set", "**missed**"], TargetRow(report, RpsVsNginx64));
        Assert.Equal(["1.33× (20,000 vs 15,000, worst: 1,000 × 200 KB)", "≥ 1.0× in every page set", "met"], TargetRow(report, RpsVsVarnish64));
    }

    [Fact]
    public void P99Target_IsJudgedAtOneOfferedRate_WithTheClosedLoopRatioBesideIt()
    {
        var run = new Run()
            .Hit("s1000", "isr", rps: 100_000, p99: 3.0).Hit("s1000", "nginx", rps: 80_000, p99: 2.0)
            .Hit("s1000", "isr", rps: 90_000, p99: 4.0, conns: 256).Hit("s1000", "nginx", rps: 70_000, p99: 5.0, conns: 256)
            .Hit("s1000", "isr", rps: 39_990, p99: 0.6, kind: "paced").Hit("s1000", "nginx", rps: 39_980, p99: 1.2, kind: "paced");

        var report = run.Render();

        Assert.Equal(
            ["0.50× at one rate (0.60 vs 1.20 ms, at 39,990 vs 39,980 req/s); closed loop, each at its own rate: 1.50× (3.00 vs 2.00, worst: 1,000 × 20 KB)",
             "≤ 1.0× at one offered rate (p99 no higher than nginx's)", "met"],
            TargetRow(report, P99VsNginx64));
        Assert.Equal(
            ["at one rate: not run; closed loop, each at its own rate: 0.80× (4.00 vs 5.00, worst: 1,000 × 20 KB)", "≤ 1.0× at one offered rate (p99 no higher than nginx's)", "not measured"],
            TargetRow(report, "HIT p99 vs nginx proxy_cache, 256 connections, identity clients"));
        Assert.Equal("1.25× (100,000 vs 80,000, worst: 1,000 × 20 KB)", TargetRow(report, RpsVsNginx64)[0]);   // never the paced rates
    }

    [Fact]
    public void P99Target_UsesTheMedianOfTheRounds_SoOneWildWindowDoesNotDecideIt()
    {
        var oneWild = new Run();
        var twoWild = new Run();
        foreach (var (round, mine, theirs, mineTwice) in new[] { (1, 1.0, 1.5, 1.0), (2, 9.0, 1.6, 9.0), (3, 1.1, 1.4, 9.5) })
        {
            oneWild.Hit("s1000", "isr", p99: mine, round: round, kind: "paced").Hit("s1000", "nginx", p99: theirs, round: round, kind: "paced");
            twoWild.Hit("s1000", "isr", p99: mineTwice, round: round, kind: "paced").Hit("s1000", "nginx", p99: theirs, round: round, kind: "paced");
        }

        foreach (var run in new[] { oneWild, twoWild })
        {
            run.Hit("s1000", "isr").Hit("s1000", "nginx");
        }

        Assert.StartsWith("0.73× at one rate (1.10 vs 1.50 ms", TargetRow(oneWild.Render(), P99VsNginx64)[0], StringComparison.Ordinal);
        Assert.Equal("met", TargetRow(oneWild.Render(), P99VsNginx64)[2]);
        Assert.Equal("**missed**", TargetRow(twoWild.Render(), P99VsNginx64)[2]);
    }

    [Fact]
    public void PacedRecords_HaveTheirOwnSection_ByClientsAndConnections()
    {
        var run = new Run()
            .Hit("s1000", "isr", rps: 100_000, p99: 1.0).Hit("s1000", "nginx", rps: 80_000, p99: 2.0)
            .Hit("s1000", "isr", rps: 39_990, p99: 10.0, kind: "paced").Hit("s1000", "nginx", rps: 39_980, p99: 1.0, kind: "paced")
            .Hit("s1000", "isr", rps: 39_950, p99: 2.0, kind: "paced", conns: 256).Hit("s1000", "nginx", rps: 39_940, p99: 4.0, kind: "paced", conns: 256)
            .Hit("s1000", "isr", rps: 39_970, p99: 0.5, kind: "paced", phase: "browser").Hit("s1000", "nginx", rps: 39_960, p99: 1.0, kind: "paced", phase: "browser");

        var report = run.Render();

        Assert.DoesNotContain("HIT p99 vs nginx proxy_cache, 64 connections, browser-like clients", report, StringComparison.Ordinal);
        var paced = SectionOf(report, "## HIT latency at one pace");
        Assert.Contains("64 and 256 connections on 1,000 × 20 KB pages carry 40,000 requests a second", paced, StringComparison.Ordinal);
        Assert.Contains("| identity | 64 | IsrProxy (memory store) | 39,990 | 2.50 | 10.0 | 20.0 | 0 | 0 | 90% | 10.00× |", paced, StringComparison.Ordinal);
        Assert.Contains("| identity | 256 | nginx proxy_cache | 39,940 | 1.00 | 4.00 | 8.00 | 0 | 0 | 90% | 1.00× |", paced, StringComparison.Ordinal);
        Assert.Contains("| browser-like | 64 | nginx proxy_cache | 39,960 | 0.25 | 1.00 | 2.00 | 0 | 0 | 90% | 1.00× |", paced, StringComparison.Ordinal);
        Assert.Contains(
            "IsrProxy's HIT p99 against nginx's is 10.00× with identity clients at 64 connections (10.00 vs 1.00 ms, at 39,990 vs 39,980 req/s); " +
            "0.50× with identity clients at 256 connections (2.00 vs 4.00 ms, at 39,950 vs 39,940 req/s); 0.50× with browser-like clients at 64 connections",
            report,
            StringComparison.Ordinal);
    }

    [Fact]
    public void RedisTarget_ComparesTheRedisStoreWithTheMemoryStore()
    {
        var report = new Run()
            .Hit("s1000", "isr", rps: 100_000).Hit("s1000", "isr-redis", rps: 89_000).Hit("s1000", "nginx", rps: 80_000)
            .Render();

        Assert.Equal(["0.89× (89,000 vs 100,000, worst: 1,000 × 20 KB)", "≥ 0.9×", "**missed**"], TargetRow(report, "HIT req/s, Redis store + L1 vs memory store, 64 connections"));
        Assert.Equal(["not run (see the notes)", "≥ 0.9×", "not measured"], TargetRow(new Run().Hit("s1000", "isr").Render(), "HIT req/s, Redis store + L1 vs memory store, 64 connections"));
    }

    [Fact]
    public void LimitsSection_GivesTheRedisStoresWorstScenario_RoundByRound()
    {
        var run = new Run();
        foreach (var (round, memory, redis) in new[] { (1, 90_000.0, 70_000.0), (2, 91_000.0, 92_000.0), (3, 89_000.0, 66_000.0) })
        {
            run.Hit("s100000", "isr", rps: memory, round: round).Hit("s100000", "isr-redis", rps: redis, round: round).Hit("s100000", "nginx", round: round);
            run.Hit("s1000", "isr", rps: 100_000, round: round).Hit("s1000", "isr-redis", rps: 99_000, round: round).Hit("s1000", "nginx", round: round);
        }

        var limits = SectionOf(run.Render(), "## What limits the HIT rate");

        Assert.Contains("The Redis store + L1 is furthest behind the memory store on 100,000 × 20 KB pages at 64 connections:", limits, StringComparison.Ordinal);
        Assert.Contains("0.78× (70,000 vs 90,000 req/s), at 13.16 vs 11.11 µs of CPU per answer.", limits, StringComparison.Ordinal);
        Assert.Contains("Round by round: 70,000 vs 90,000; 92,000 vs 91,000; 66,000 vs 89,000 req/s.", limits, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("STALE:20", 3.9, "met")]
    [InlineData("STALE:20", 4.1, "**missed**")]
    [InlineData("STALE:19,HIT:1", 1.0, "not measured")]
    public void StaleTarget_IsWithinTwiceHitP99_OnlyWhenEveryTimedRequestWasStale(string classes, double staleP99, string verdict)
    {
        var report = new Run()
            .Hit("s1000", "isr", p99: 2.0)
            .Line($"kind=stale target=isr round=1 keys=20 p50_ms=1 p99_ms={Invariant(staleP99)} max_ms=5 classes={classes}")
            .Render();

        var row = TargetRow(report, "STALE first-request latency");
        Assert.Contains("HIT p99 2.00 ms (closed loop, 1,000 × 20 KB, 64 connections)", row[0], StringComparison.Ordinal);
        Assert.Equal(verdict, row[2]);
    }

    [Fact]
    public void StaleTarget_IsHeldToTheHitP99AtOneRate_WhenThePacedScenarioRan()
    {
        var report = new Run()
            .Hit("s1000", "isr", p99: 4.0)
            .Hit("s1000", "isr", p99: 0.5, kind: "paced").Hit("s1000", "isr", p99: 0.7, kind: "paced", conns: 256)
            .Line("kind=stale target=isr round=1 keys=20 p50_ms=0.1 p99_ms=1.2 max_ms=1.2 classes=STALE:20")
            .Render();

        var row = TargetRow(report, "STALE first-request latency");
        Assert.Contains("HIT p99 0.50 ms (at one rate, 40,000 req/s on 1,000 × 20 KB, 64 connections)", row[0], StringComparison.Ordinal);
        Assert.Equal("**missed**", row[2]);                                   // 1.2 > 2 × 0.5, though under 2 × 4.0
    }

    [Fact]
    public void StaleTarget_NeverAcceptsTheOriginsWait()
    {
        var report = new Run()
            .Hit("s1000", "isr", p99: 200.0)
            .Line("kind=stale target=isr round=1 keys=20 p50_ms=1 p99_ms=2 max_ms=201 classes=STALE:20")
            .Render();

        Assert.Equal("**missed**", TargetRow(report, "STALE first-request latency")[2]);
    }

    [Theory]
    [InlineData(new[] { 1, 1 }, "met")]
    [InlineData(new[] { 1, 2 }, "**missed**")]
    [InlineData(new int[0], "not measured")]
    public void CollapseTarget_IsExactlyOneOriginRequestInEveryRound(int[] originRequests, string verdict)
    {
        var run = new Run();
        for (var i = 0; i < originRequests.Length; i++)
        {
            run.Line($"kind=collapse target=isr round={i + 1} origin_requests={originRequests[i]} p50_ms=200 p99_ms=210 max_ms=220 errors=0");
        }

        Assert.Equal(verdict, TargetRow(run.Render(), "200 concurrent misses on one path")[2]);
    }

    [Fact]
    public void MissAndPurgeTargets_AreDifferencesAndRatiosOfMedians()
    {
        var report = new Run()
            .Line("kind=miss target=origin round=1 rps=9000 p50_ms=0.100 p99_ms=0.2 p999_ms=0.3 requests=18000")
            .Line("kind=miss target=isr round=1 rps=5000 p50_ms=0.350 p99_ms=0.5 p999_ms=0.9 requests=10000")
            .Line("kind=miss target=isr round=2 rps=5000 p50_ms=0.250 p99_ms=0.5 p999_ms=0.9 requests=10000")
            .Line("kind=purge target=isr tag=s-1 entries=1 count=20 p50_ms=0.500 p99_ms=0.9")
            .Line("kind=purge target=isr tag=bench entries=100000 count=20 p50_ms=1.100 p99_ms=2")
            .Render();

        Assert.Equal(["0.200 ms", "≤ 1 ms", "met"], TargetRow(report, "MISS overhead vs the origin direct, p50"));
        Assert.Equal(["2.20× (100,000 entries)", "cost does not grow with entries (≤ 2×)", "**missed**"], TargetRow(report, "Tag purge over every cached page vs over one (SPEC §3)"));
    }

    [Theory]
    [InlineData(2840, "met")]
    [InlineData(200_000, "**missed**")]
    public void AllocationTarget_ComparesTheTwoBodySizes_FromBenchmarkDotNetsReport(long allocatedWith200Kb, string verdict)
    {
        var folder = Directory.CreateTempSubdirectory();
        try
        {
            File.WriteAllText(
                Path.Combine(folder.FullName, "IsrProxy.Benchmarks.HitPathBenchmarks-report-full-compressed.json"),
                $$$"""
                {"Benchmarks": [
                  {"Parameters": "BodyBytes=204800", "Statistics": {"Mean": 1400.5}, "Memory": {"BytesAllocatedPerOperation": {{{allocatedWith200Kb}}}}},
                  {"Parameters": "BodyBytes=20480", "Statistics": {"Mean": 1300.5}, "Memory": {"BytesAllocatedPerOperation": 2832}}
                ]}
                """);
            var report = new Run().Render(allocations: HitPathAllocations.Load(folder.FullName));

            var row = TargetRow(report, "HIT path allocations (BenchmarkDotNet MemoryDiagnoser)");
            Assert.Equal($"2,832 B per request with a 20 KB body, {allocatedWith200Kb.ToString("#,0", CultureInfo.InvariantCulture)} B with 200 KB", row[0]);
            Assert.Equal(verdict, row[2]);
            Assert.Contains("| 20 KB | 1.30 | 2,832 |", report, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void AnEmptyRun_RendersEverySectionAsNotRun_AndNoTargetAsMet()
    {
        var report = new Run().Render(mode: "quick");

        Assert.Contains("**Quick mode (`BENCH_QUICK=1`)**", report, StringComparison.Ordinal);
        Assert.Equal(["—", "nothing proportional to the body (difference < 1 KB for 180 KB more body)", "not measured"], TargetRow(report, "HIT path allocations (BenchmarkDotNet MemoryDiagnoser)"));
        Assert.Equal("not measured", TargetRow(report, "MISS overhead vs the origin direct, p50")[2]);
        Assert.DoesNotContain("| met |", report, StringComparison.Ordinal);
        Assert.Contains("## HIT latency at one pace\n\nNot run.", report.ReplaceLineEndings("\n"), StringComparison.Ordinal);
    }

    /// <summary>The measured, goal and verdict cells of the Targets table row named <paramref name="target"/>.</summary>
    private static string[] TargetRow(string report, string target)
    {
        var line = report.ReplaceLineEndings("\n").Split('\n').Single(l => l.StartsWith($"| {target} |", StringComparison.Ordinal));
        return line.Trim('|', ' ').Split(" | ")[1..];
    }

    private static string SectionOf(string report, string heading)
    {
        var start = report.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(start >= 0, $"no section '{heading}'");
        var end = report.IndexOf("\n## ", start + heading.Length, StringComparison.Ordinal);
        return report[start..(end < 0 ? report.Length : end)];
    }

    private static string Invariant(double value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>The records of a run, in the form bench/run.sh writes them to bench/out/results.txt.</summary>
    private sealed class Run
    {
        private readonly List<string> _lines = [];

        public Run Line(string line)
        {
            _lines.Add(line);
            return this;
        }

        /// <summary>One 2 s window: p50 a quarter of p99, p99.9 twice it, the load core 90% busy.</summary>
        public Run Hit(
            string set, string target, double rps = 50_000, double p99 = 1.0, int round = 1, string kind = "hit", string phase = "identity", int conns = 64)
        {
            var rate = kind == "paced" ? " rate=40000" : "";
            return Line(
                $"kind={kind} phase={phase} set={set} conns={conns}{rate} target={target} round={round} requests={Invariant(rps * 2)} seconds=2 " +
                $"rps={Invariant(rps)} p50_ms={Invariant(p99 / 4)} p99_ms={Invariant(p99)} p999_ms={Invariant(p99 * 2)} errors=0 non2xx=0 " +
                $"bytes={Invariant(rps * 2 * 20_000)} origin_requests=0 cpu_user_ticks=100 cpu_sys_ticks=100 clock_ticks=100 " +
                "load_busy_ticks=90 load_total_ticks=100");
        }

        public string Render(string mode = "full", HitPathAllocations? allocations = null) =>
            new ResultsReport(
                new ResultSet(_lines.Select(ResultRecord.Parse).ToList()),
                allocations ?? HitPathAllocations.Load(null),
                "machine",
                "settings",
                "",
                mode,
                "1 min").Render();
    }
}
