using System.Net;
using System.Text.Json;
using IsrProxy.Revalidation;
using IsrProxy.Tests.Fixtures;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Tests.Integration;

/// <summary>Metrics at /metrics, the request log line, readiness, and requests in flight at shutdown.</summary>
[Collection(TestCollections.ProductMeters)]
public sealed class ObservabilityTests
{
    private const string Secret = "metrics-test-secret";

    private static async Task<PrometheusExposition> ScrapeAsync(ProxyHost proxy)
    {
        using var response = await proxy.SendAsync(HttpMethod.Get, "/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain; version=0.0.4", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.Null(ProxyHost.Header(response, "X-Isr-Cache"));
        return PrometheusTextParser.Parse(await response.Content.ReadAsStringAsync());
    }

    private static double Sum(PrometheusExposition metrics, string name, params (string, string)[] labels)
        => metrics.Find(name, labels).Sum(s => s.Value);

    [Fact]
    public async Task Metrics_ShowTheHitRatiosParts_AndMoveWithTraffic()
    {
        var time = new ManualTimeProvider();
        await using var origin = await OriginServer.StartAsync(o => o.Versioned("/tagged", ("Cache-Tag", "t")));
        await using var proxy = await ProxyHost.StartAsync(
            origin, """[{ "Match": "/**", "Revalidate": 10 }]""", time, new Dictionary<string, string?> { ["Isr:Secret"] = Secret });

        await proxy.FetchAsync("/a");                                        // MISS
        await proxy.FetchAsync("/a");                                        // HIT
        await proxy.FetchAsync("/a", ("Cookie", "sid=1"));                   // BYPASS
        await proxy.FetchAsync("/tagged");                                   // MISS
        time.Advance(TimeSpan.FromSeconds(11));
        await proxy.FetchAsync("/a");                                        // STALE, regenerates
        await Eventually.TrueAsync(() => proxy.Get<RegenerationWorker>().Succeeded == 1, "the regeneration finished");
        using (await proxy.SendAsync(HttpMethod.Post, "/_revalidate/tag/t", ("X-Isr-Secret", Secret)))
        {
        }

        var before = await ScrapeAsync(proxy);
        Assert.Equal(1, Sum(before, "isr_requests_total", ("cache_class", "HIT")));
        Assert.Equal(2, Sum(before, "isr_requests_total", ("cache_class", "MISS")));
        Assert.Equal(1, Sum(before, "isr_requests_total", ("cache_class", "STALE")));
        Assert.Equal(1, Sum(before, "isr_requests_total", ("cache_class", "BYPASS")));
        Assert.Equal(2, Sum(before, "isr_origin_requests_total", ("purpose", "fill"), ("status_class", "2xx")));
        Assert.Equal(1, Sum(before, "isr_origin_requests_total", ("purpose", "regeneration")));
        Assert.Equal(1, Sum(before, "isr_origin_requests_total", ("purpose", "forward")));
        Assert.Equal(4, Sum(before, "isr_origin_duration_seconds_count"));
        Assert.Equal(1, Sum(before, "isr_regenerations_total", ("outcome", "succeeded")));
        Assert.Equal(1, Sum(before, "isr_purges_total", ("target", "tag"), ("mode", "stale")));
        Assert.Equal(2, Sum(before, "isr_store_entries"));
        Assert.True(Sum(before, "isr_store_bytes") > 0);
        Assert.Equal(0, Sum(before, "isr_regeneration_queue"));
        Assert.Equal("histogram", before.Family("isr_origin_duration_seconds").Type);
        Assert.Equal("counter", before.Family("isr_requests_total").Type);
        Assert.NotEmpty(before.Find("http_server_request_duration_seconds_count"));     // ASP.NET Core's own meter
        Assert.NotEmpty(before.Find("http_client_request_duration_seconds_count"));     // HttpClient's, from origin calls

        for (var i = 0; i < 3; i++)
        {
            await proxy.FetchAsync("/a");
        }

        var after = await ScrapeAsync(proxy);
        Assert.Equal(3, Sum(after, "isr_requests_total", ("cache_class", "HIT")) - Sum(before, "isr_requests_total", ("cache_class", "HIT")));
    }

    [Fact]
    public async Task RequestLog_OneLinePerRequest_WithEveryField()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);

        await proxy.FetchAsync("/page?utm=1&secret=nope");
        await proxy.FetchAsync("/page?utm=1&secret=nope");

        // The line is written once the answer has gone out, which may be just after the client has read it.
        static bool IsRequestLine(LogRecord r) => r.EventId.Name == "Request";
        await Eventually.TrueAsync(() => proxy.Logs.Records.Count(IsRequestLine) >= 2, "both request lines were written");
        var lines = proxy.Logs.Records.Where(IsRequestLine).ToList();
        Assert.Equal(2, lines.Count);
        Assert.All(lines, l => Assert.Equal(LogLevel.Information, l.Level));
        var miss = lines[0].Fields;
        Assert.Equal("GET", miss["Method"]);
        Assert.Equal("/page", miss["Path"]);
        Assert.Equal(200, miss["Status"]);
        Assert.Equal("MISS", miss["CacheClass"]);
        Assert.IsType<double>(miss["DurationMs"]);
        Assert.IsType<double>(miss["OriginMs"]);
        Assert.Equal("HIT", lines[1].Fields["CacheClass"]);
        Assert.False(lines[1].Fields.ContainsKey("OriginMs"));                 // a hit never reached the origin
        Assert.Matches(@"^GET /page 200 HIT in \d+(\.\d+)? ms$", lines[1].Message);
        Assert.Matches(@"^GET /page 200 MISS in \d+(\.\d+)? ms \(origin \d+(\.\d+)? ms\)$", lines[0].Message);
        Assert.DoesNotContain(proxy.Logs.Records, r => r.Message.Contains("secret=", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HostingDiagnostics_AreOffAtEveryLevel_SoRequestsStartNoActivityOrScopeThere()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);

        await proxy.FetchAsync("/page?secret=nope");

        // ASP.NET Core starts an Activity and a log scope for each request while this category logs at any level.
        var hosting = proxy.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Microsoft.AspNetCore.Hosting.Diagnostics");
        Assert.False(hosting.IsEnabled(LogLevel.Critical));
        Assert.DoesNotContain(proxy.Logs.Records, r => r.Category == "Microsoft.AspNetCore.Hosting.Diagnostics");
    }

    [Fact]
    public async Task Readiness_TurnsDegradedWhenTheOriginIsDown_AndBack()
    {
        var origin = await OriginServer.StartAsync();
        var port = origin.BaseAddress.Port;
        await using var proxy = await ProxyHost.StartAsync(origin);

        // The origin check allows two seconds, which a loaded machine can take: "degraded" then is right, and passes.
        await Eventually.TrueAsync(async () => await StatusAsync(proxy) == "ready", "readiness saw the origin up");
        await origin.DisposeAsync();
        await Eventually.TrueAsync(async () => await StatusAsync(proxy) == "degraded", "readiness saw the origin down");

        await using var back = await OriginServer.StartAsync(port);
        await Eventually.TrueAsync(async () => await StatusAsync(proxy) == "ready", "readiness saw the origin back");
    }

    [Fact]
    public async Task Readiness_IsWarmingWhilePrerendering()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/slow", async (ctx, n) =>
        {
            await release.Task;
            await ctx.Response.WriteAsync("ok");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "Prerender": ["/slow"] }]""");

        using (var warming = await proxy.SendAsync(HttpMethod.Get, "/readyz"))
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, warming.StatusCode);
            Assert.Equal("warming", JsonDocument.Parse(await warming.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString());
        }

        release.SetResult();
        await proxy.Get<Prerenderer>().Completion;
        await Eventually.TrueAsync(async () => await StatusAsync(proxy) == "ready", "readiness is ready once prerendering is done");
    }

    [Fact]
    public async Task Shutdown_FinishesRequestsInFlight()
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/slow", async (ctx, n) =>
        {
            started.TrySetResult();
            await release.Task;
            await ctx.Response.WriteAsync("finished");
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        var request = proxy.FetchAsync("/slow");
        await started.Task;
        var stopping = proxy.StopAsync();              // the client stays open: the answer must reach it whole
        release.SetResult();

        Assert.Equal(("MISS", "finished"), await request);
        await stopping;
    }

    private static async Task<string?> StatusAsync(ProxyHost proxy)
    {
        using var response = await proxy.SendAsync(HttpMethod.Get, "/readyz");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("status").GetString();
    }
}
