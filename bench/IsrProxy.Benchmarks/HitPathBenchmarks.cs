using System.IO.Pipelines;
using System.Text;
using BenchmarkDotNet.Attributes;
using IsrProxy.Caching;
using IsrProxy.Hosting;
using IsrProxy.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Primitives;

namespace IsrProxy.Benchmarks;

/// <summary>
/// The HIT path in process: IsrProxy's whole request pipeline (request log, routing, classification, lookup, freshness,
/// writing headers and the stored body) answering from a filled store, with no socket. The 20 KB and 200 KB pages
/// must allocate the same: nothing on the hit path is proportional to the body.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 15)]
public class HitPathBenchmarks
{
    private WebApplication _app = null!;
    private RequestDelegate _pipeline = null!;
    private IServiceProvider _services = null!;

    [Params(20 * 1024, 200 * 1024)]
    public int BodyBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var builder = IsrHost.CreateBuilder([], Path.GetTempPath(), useSerilog: false, configure: c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Isr:Origin"] = "http://127.0.0.1:9",
            ["Logging:LogLevel:Default"] = "Warning",
        }));
        _app = IsrHost.Build(builder);
        _services = _app.Services;
        _pipeline = ((IApplicationBuilder)_app).Build();
        var now = DateTimeOffset.UtcNow;
        var store = _services.GetRequiredService<ICacheStore>();
        store.SetAsync(new CacheEntry
        {
            Key = "/page",
            Path = "/page",
            PathAndQuery = "/page",
            StatusCode = 200,
            Headers =
            [
                new("Content-Type", new StringValues("text/html; charset=utf-8")),
                new("Date", new StringValues(now.ToString("R"))),
                new("ETag", new StringValues("\"v1\"")),
            ],
            CacheControl = "public, max-age=3600",
            ETag = "\"v1\"",
            Body = Encoding.UTF8.GetBytes(new string('x', BodyBytes)),
            RenderStartedAt = now,
            GeneratedAt = now,
            MaxStale = TimeSpan.FromDays(365),
            ClockKeys = ClockKeys.For("/page", []),
        }, default).AsTask().Wait();
    }

    [GlobalCleanup]
    public void Cleanup() => _app.DisposeAsync().AsTask().Wait();

    [Benchmark(Description = "HIT, whole pipeline")]
    public async Task<int> Hit()
    {
        var context = new DefaultHttpContext { RequestServices = _services };
        context.Request.Method = "GET";
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Request.Path = "/page";
        context.Request.Headers.Accept = "text/html";
        context.Request.Headers.UserAgent = "bench";
        context.Features.Set<IHttpResponseBodyFeature>(new StreamResponseBodyFeature(Stream.Null));
        await _pipeline(context);
        await context.Response.BodyWriter.FlushAsync();
        return context.Features.Get<IsrRequestFeature>()?.Class == CacheClass.Hit ? context.Response.StatusCode : -1;
    }
}
