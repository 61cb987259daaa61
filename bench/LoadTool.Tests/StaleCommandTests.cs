using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.LoadTool.Tests;

[Collection(LoopbackServer.ConsoleCollection)]
public sealed class StaleCommandTests
{
    [Fact]
    public void Targets_AreNamedUrlsInOrder()
    {
        var targets = StaleCommand.Targets(" isr=http://127.0.0.1:1/ ,nginx=http://127.0.0.1:2,");

        Assert.Equal(new[] { ("isr", "http://127.0.0.1:1"), ("nginx", "http://127.0.0.1:2") }, targets);
    }

    [Fact]
    public async Task Wake_MustBeAPath()
    {
        var options = CommandLine.Parse(["--targets", "a=http://127.0.0.1:1", "--key", "k", "--wake", "s/0"]);

        var error = await Assert.ThrowsAsync<ArgumentException>(() => new StaleCommand(TimeProvider.System).RunAsync(options, CancellationToken.None));
        Assert.Contains("--wake", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData(",")]
    [InlineData("http://127.0.0.1:1")]
    [InlineData("=http://127.0.0.1:1")]
    [InlineData("isr=")]
    [InlineData("isr=http://127.0.0.1:1,isr=http://127.0.0.1:2")]
    public void Targets_RefusesWhatIsNotNameEqualsUrl(string text) =>
        Assert.Throws<ArgumentException>(() => StaleCommand.Targets(text));

    [Fact]
    public async Task FillsEveryTargetFirst_ThenWakesAndTimesEachInTurn_OneResultPerTarget()
    {
        // Two caches that answer a page's first request as a MISS and later ones as STALE, noting when each came.
        var requests = new ConcurrentQueue<(string Target, string Path, long At)>();
        await using var a = await StartCacheAsync("a", requests);
        await using var b = await StartCacheAsync("b", requests);
        var options = CommandLine.Parse(
            ["--targets", $"a={LoopbackServer.Url(a)},b={LoopbackServer.Url(b)}", "--key", "k", "--keys", "3", "--wait-ms", "50", "--settle-ms", "300", "--wake", "/s/0"]);

        var (exit, output) = await LoopbackServer.RunAsync(() => new StaleCommand(TimeProvider.System).RunAsync(options, CancellationToken.None));

        Assert.Equal(0, exit);
        var results = output.Split('\n').Where(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, results.Count);
        Assert.StartsWith("RESULT target=a keys=3 errors=0 classes=STALE:3 p50_ms=", results[0]);
        Assert.StartsWith("RESULT target=b keys=3 errors=0 classes=STALE:3 p50_ms=", results[1]);

        var order = requests.ToList();
        Assert.Equal(18, order.Count);
        Assert.Equal(6, order.Take(6).Where(r => r.Path.StartsWith("/slow/", StringComparison.Ordinal)).Select(r => (r.Target, r.Path)).Distinct().Count());
        string[] turn = ["/s/0", "/s/0", "/s/0", "/slow/k-0", "/slow/k-1", "/slow/k-2"];    // untimed wake-ups, then timed
        Assert.Equal(turn.Select(p => ("a", p)).Concat(turn.Select(p => ("b", p))), order.Skip(6).Select(r => (r.Target, r.Path)));
        Assert.True(TimeProvider.System.GetElapsedTime(order[11].At, order[12].At) >= TimeSpan.FromMilliseconds(290));
    }

    private static Task<WebApplication> StartCacheAsync(string name, ConcurrentQueue<(string, string, long)> requests) => LoopbackServer.StartAsync(app =>
    {
        var seen = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        app.MapGet("/s/{page}", (HttpContext context) =>
        {
            requests.Enqueue((name, context.Request.Path.ToString(), TimeProvider.System.GetTimestamp()));
            context.Response.Headers["X-Isr-Cache"] = "HIT";
            return "page";
        });
        app.MapGet("/slow/{page}", (HttpContext context, string page) =>
        {
            requests.Enqueue((name, context.Request.Path.ToString(), TimeProvider.System.GetTimestamp()));
            context.Response.Headers["X-Isr-Cache"] = seen.AddOrUpdate(page, 1, (_, n) => n + 1) == 1 ? "MISS" : "STALE";
            return "page";
        });
    });
}
