using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using IsrProxy.Hosting;
using IsrProxy.Storage.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Benchmarks;

/// <summary>
/// HIT throughput of the proxy on the Memory store against the proxy in Redis mode (Redis + L1), in one run: a fast
/// origin, both proxies and a redis-server (REDIS_URL, or one started here) on loopback; every page warmed; then
/// alternating timed runs (Memory, Redis, Redis, Memory, ...) with the same number of keep-alive connections. Every
/// loop is bounded in time and in count. Writes a Markdown report.
/// </summary>
internal static class HitThroughput
{
    private const long MaxRequestsPerRun = 50_000_000;

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = Settings.Parse(args);
        await using var redis = await RedisProcess.StartAsync();
        await using var origin = await StartOriginAsync(settings.BodyBytes);
        var originUrl = origin.Urls.Single();
        await using var memory = await StartProxyAsync(originUrl, []);
        await using var shared = await StartProxyAsync(originUrl,
        [
            "--Isr:Store:Kind=Redis",
            $"--Isr:Store:Redis={redis.ConnectionString}",
            $"--Isr:Store:KeyPrefix=bench:{Guid.NewGuid():N}:",
        ]);
        await WaitUntilSynchronisedAsync(shared);

        using var client = new HttpClient(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = settings.Connections,
            UseCookies = false,
            UseProxy = false,
            AllowAutoRedirect = false,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
        });
        var paths = Enumerable.Range(0, settings.Paths).Select(i => $"/page/{i}").ToArray();
        var memoryUrl = new Uri(memory.Urls.Single());
        var redisUrl = new Uri(shared.Urls.Single());
        await WarmAsync(client, memoryUrl, paths);
        await WarmAsync(client, redisUrl, paths);

        Console.WriteLine($"warming up: {settings.Connections} connections, {settings.Paths} pages of {settings.BodyBytes} bytes");
        await LoadAsync(client, memoryUrl, paths, settings.Connections, TimeSpan.FromSeconds(2));
        await LoadAsync(client, redisUrl, paths, settings.Connections, TimeSpan.FromSeconds(2));

        var loadBefore = LoadAverage();
        var runs = new List<Run>();
        for (var round = 0; round < settings.Rounds; round++)
        {
            // Memory first in odd rounds, Redis first in even ones, so a drift in the machine's load favours neither.
            var order = round % 2 == 0
                ? new[] { ("Memory", memoryUrl), ("Redis + L1", redisUrl) }
                : new[] { ("Redis + L1", redisUrl), ("Memory", memoryUrl) };
            foreach (var (name, url) in order)
            {
                var run = await LoadAsync(client, url, paths, settings.Connections, TimeSpan.FromSeconds(settings.Seconds));
                runs.Add(run with { Store = name, Round = round + 1 });
                Console.WriteLine($"round {round + 1} {name,-10} {run.PerSecond,10:N0} req/s  ({run.NotHits} not HIT, {run.Failures} failed)");
            }
        }

        var stats = shared.Services.GetRequiredService<IsrProxy.Storage.Layered.LayeredCacheStore>().Stats;
        var report = Report(settings, runs, stats.L1Hits, stats.RedisReads, loadBefore, LoadAverage());
        Console.WriteLine(report);
        if (settings.Output is { } output)
        {
            await File.WriteAllTextAsync(output, report);
        }

        return runs.All(r => r.NotHits == 0 && r.Failures == 0) ? 0 : 1;
    }

    private static async Task<Run> LoadAsync(HttpClient client, Uri baseUrl, string[] paths, int connections, TimeSpan duration)
    {
        using var deadline = new CancellationTokenSource(duration);
        var started = TimeProvider.System.GetTimestamp();
        var workers = Enumerable.Range(0, connections).Select(w => Task.Run(async () =>
        {
            long done = 0, notHits = 0, failures = 0;
            var i = w;
            while (!deadline.IsCancellationRequested && done < MaxRequestsPerRun / connections)
            {
                try
                {
                    using var response = await client.GetAsync(new Uri(baseUrl, paths[i++ % paths.Length]), HttpCompletionOption.ResponseContentRead);
                    done++;
                    if (!response.IsSuccessStatusCode)
                    {
                        failures++;
                    }
                    else if (!response.Headers.TryGetValues("X-Isr-Cache", out var cache) || cache.Single() != "HIT")
                    {
                        notHits++;
                    }
                }
                catch (HttpRequestException)
                {
                    failures++;
                }
            }

            return (done, notHits, failures);
        })).ToArray();
        var results = await Task.WhenAll(workers);
        var elapsed = TimeProvider.System.GetElapsedTime(started);
        var total = results.Sum(r => r.done);
        return new Run(string.Empty, 0, total, elapsed, results.Sum(r => r.notHits), results.Sum(r => r.failures));
    }

    private static async Task WarmAsync(HttpClient client, Uri baseUrl, string[] paths)
    {
        foreach (var path in paths)
        {
            for (var attempt = 0; attempt < 50; attempt++)
            {
                using var response = await client.GetAsync(new Uri(baseUrl, path));
                if (response.Headers.TryGetValues("X-Isr-Cache", out var cache) && cache.Single() == "HIT")
                {
                    break;
                }
            }
        }
    }

    private static async Task WaitUntilSynchronisedAsync(WebApplication proxy)
    {
        var backplane = proxy.Services.GetRequiredService<RedisBackplane>();
        for (var i = 0; i < 500 && !backplane.IsSynchronised; i++)
        {
            await Task.Delay(20);
        }

        if (!backplane.IsSynchronised)
        {
            throw new InvalidOperationException("The Redis-mode proxy did not subscribe to Redis within 10 s.");
        }
    }

    private static async Task<WebApplication> StartOriginAsync(int bodyBytes)
    {
        var body = Encoding.ASCII.GetBytes(new string('x', bodyBytes));
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        app.Run(context =>
        {
            context.Response.ContentType = "text/html";
            return context.Response.Body.WriteAsync(body).AsTask();
        });
        await app.StartAsync();
        return app;
    }

    private static async Task<WebApplication> StartProxyAsync(string origin, string[] store)
    {
        // An empty content root: no appsettings.json, so only the defaults and these settings apply.
        var root = Path.Combine(Path.GetTempPath(), "isrproxy-bench-empty");
        Directory.CreateDirectory(root);
        var builder = IsrHost.CreateBuilder([$"--Isr:Origin={origin}", .. store], root, useSerilog: false);
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = IsrHost.Build(builder);
        await app.StartAsync();
        return app;
    }

    // The 1-minute load average (Linux), printed with the figures: other work on the machine makes them noisy.
    private static string LoadAverage()
        => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";

    private static string Report(Settings settings, List<Run> runs, long l1Hits, long redisReads, string loadBefore, string loadAfter)
    {
        var memory = Median(runs.Where(r => r.Store == "Memory"));
        var redis = Median(runs.Where(r => r.Store != "Memory"));
        var text = new StringBuilder();
        text.AppendLine("# HIT throughput: Redis + L1 against the Memory store");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Generated by `bench/hit-redis.sh` on {TimeProvider.System.GetUtcNow():yyyy-MM-dd}: {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}.");
        text.AppendLine(CultureInfo.InvariantCulture, $"Both proxies, the origin, redis-server and the load generator share this machine, on loopback. {settings.Connections} keep-alive connections");
        text.AppendLine(CultureInfo.InvariantCulture, $"request {settings.Paths} pages of {settings.BodyBytes} bytes round-robin, every answer a HIT; runs of {settings.Seconds} s alternate Memory and Redis (Memory first in odd rounds, Redis first in even ones).");
        text.AppendLine(CultureInfo.InvariantCulture, $"Load average (1 min) before the runs {loadBefore}, after {loadAfter}: anything above the core count means other work shared the CPUs, so single runs vary; read the medians and their ratio.");
        text.AppendLine();
        text.AppendLine("| round | Memory requests/s | Redis + L1 requests/s | Redis / Memory |");
        text.AppendLine("|---:|---:|---:|---:|");
        var ratios = new List<double>();
        foreach (var round in runs.GroupBy(r => r.Round))
        {
            var m = round.Single(r => r.Store == "Memory").PerSecond;
            var r = round.Single(r => r.Store != "Memory").PerSecond;
            ratios.Add(r / m);
            text.AppendLine(CultureInfo.InvariantCulture, $"| {round.Key} | {m:N0} | {r:N0} | {r / m:0.00} |");
        }

        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Median of the rounds' ratios (each Redis run against the Memory run next to it): **{Median(ratios):0.00}**. Medians of the runs: Memory {memory:N0} requests/s, Redis + L1 {redis:N0} requests/s.");
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"In Redis mode {l1Hits:N0} lookups were answered by L1 and {redisReads:N0} read Redis (the warm-up's first reads): hits do not touch Redis while the replica is subscribed.");
        return text.ToString();
    }

    private static double Median(IEnumerable<Run> runs) => Median(runs.Select(r => r.PerSecond));

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length == 0 ? 0 : sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private sealed record Run(string Store, int Round, long Requests, TimeSpan Elapsed, long NotHits, long Failures)
    {
        public double PerSecond => Requests / Elapsed.TotalSeconds;
    }

    private sealed record Settings(int Seconds, int Rounds, int Connections, int Paths, int BodyBytes, string? Output)
    {
        public static Settings Parse(string[] args)
        {
            var values = new Dictionary<string, string>(StringComparer.Ordinal);
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                values[args[i].TrimStart('-')] = args[i + 1];
            }

            int Int(string key, int fallback, int max)
                => values.TryGetValue(key, out var text) && int.TryParse(text, CultureInfo.InvariantCulture, out var value) && value > 0 && value <= max
                    ? value
                    : fallback;

            return new Settings(
                Int("seconds", 5, 300),
                Int("rounds", 3, 20),
                Int("connections", 32, 1024),
                Int("paths", 100, 100_000),
                Int("body", 2048, 8_000_000),
                values.GetValueOrDefault("output"));
        }
    }

    /// <summary>The Redis server of the run: REDIS_URL when set, else a redis-server started on a free loopback port.</summary>
    private sealed class RedisProcess : IAsyncDisposable
    {
        private readonly Process? _process;

        private RedisProcess(string connectionString, Process? process)
        {
            ConnectionString = connectionString;
            _process = process;
        }

        public string ConnectionString { get; }

        public static async Task<RedisProcess> StartAsync()
        {
            if (Environment.GetEnvironmentVariable("REDIS_URL") is { Length: > 0 } url)
            {
                return new RedisProcess(url, null);
            }

            var executable = new[] { "/usr/bin/redis-server", "/usr/local/bin/redis-server" }.FirstOrDefault(File.Exists)
                ?? throw new InvalidOperationException("redis-server was not found: install it (apt-get install -y redis-server) or set REDIS_URL.");
            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            var info = new ProcessStartInfo(executable) { UseShellExecute = false };
            foreach (var arg in new[] { "--port", port.ToString(CultureInfo.InvariantCulture), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning" })
            {
                info.ArgumentList.Add(arg);
            }

            var process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
            for (var i = 0; i < 250; i++)
            {
                try
                {
                    using var probe = new TcpClient();
                    await probe.ConnectAsync(IPAddress.Loopback, port);
                    return new RedisProcess($"127.0.0.1:{port}", process);
                }
                catch (SocketException)
                {
                    await Task.Delay(20);
                }
            }

            process.Kill();
            throw new InvalidOperationException($"redis-server did not listen on port {port} within 5 s.");
        }

        public async ValueTask DisposeAsync()
        {
            if (_process is { HasExited: false })
            {
                _process.Kill();
                await _process.WaitForExitAsync();
            }

            _process?.Dispose();
        }
    }
}
