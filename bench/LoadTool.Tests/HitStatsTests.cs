namespace IsrProxy.LoadTool.Tests;

public sealed class HitStatsTests
{
    [Fact]
    public void From_NoRounds_IsNull() => Assert.Null(HitStats.From([]));

    [Fact]
    public void From_TakesMediansOverRounds_SoOneWildWindowDoesNotMoveThem()
    {
        var stats = HitStats.From(
        [
            Round(rps: 100_000, p50: 0.5, p99: 1.0, p999: 2.0),
            Round(rps: 60_000, p50: 0.9, p99: 9.0, p999: 30.0),
            Round(rps: 110_000, p50: 0.4, p99: 1.2, p999: 2.5),
        ])!;

        Assert.Equal(3, stats.Rounds);
        Assert.Equal(100_000, stats.Rps);
        Assert.Equal(0.5, stats.P50);
        Assert.Equal(1.2, stats.P99);
        Assert.Equal(2.5, stats.P999);
    }

    [Fact]
    public void From_SumsCountsAndDividesCpuTimeAndBytesByEveryAnswer()
    {
        // Two rounds of 100,000 answers; 100 clock ticks a second. User: 1 s + 3 s over 200,000 answers = 20 µs.
        var stats = HitStats.From(
        [
            Round(requests: 100_000, bytes: 2_000_000_000, userTicks: 100, sysTicks: 50, origin: 1, errors: 2, non2xx: 1, loadBusy: 90, loadTotal: 100),
            Round(requests: 100_000, bytes: 2_200_000_000, userTicks: 300, sysTicks: 150, origin: 0, errors: 0, non2xx: 0, loadBusy: 60, loadTotal: 100),
        ])!;

        Assert.Equal(21_000, stats.BytesPerAnswer);
        Assert.Equal(20, stats.UserUsPerAnswer, 9);
        Assert.Equal(10, stats.KernelUsPerAnswer, 9);
        Assert.Equal(1, stats.OriginRequests);
        Assert.Equal(3, stats.Errors);
        Assert.Equal(0.75, stats.LoadBusy, 9);
    }

    [Fact]
    public void From_RoundsWithoutCpuFigures_GiveNaNRatherThanZero()
    {
        var stats = HitStats.From([ResultRecord.Parse("kind=hit rps=1000 requests=1000 p99_ms=1 bytes=1000 origin_requests=0 errors=0 non2xx=0")])!;

        Assert.True(double.IsNaN(stats.UserUsPerAnswer));
        Assert.True(double.IsNaN(stats.LoadBusy));
        Assert.Equal(1000, stats.Rps);
    }

    private static ResultRecord Round(
        double rps = 1000, double p50 = 1, double p99 = 2, double p999 = 3, long requests = 1000, long bytes = 1000, int userTicks = 1,
        int sysTicks = 1, int origin = 0, int errors = 0, int non2xx = 0, int loadBusy = 1, int loadTotal = 2) =>
        ResultRecord.Parse(
            $"kind=hit rps={rps} p50_ms={p50} p99_ms={p99} p999_ms={p999} requests={requests} bytes={bytes} origin_requests={origin} " +
            $"errors={errors} non2xx={non2xx} cpu_user_ticks={userTicks} cpu_sys_ticks={sysTicks} clock_ticks=100 " +
            $"load_busy_ticks={loadBusy} load_total_ticks={loadTotal}");
}
