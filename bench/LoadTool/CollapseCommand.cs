namespace IsrProxy.LoadTool;

/// <summary>
/// Many concurrent requests for one uncached path on a slow origin: opens one connection per request, releases them
/// all at once, and reports their latencies and how many requests reached the origin (a cache that collapses
/// misses makes exactly one).
/// </summary>
internal sealed class CollapseCommand(TimeProvider time)
{
    public async Task<int> RunAsync(CommandLine options, CancellationToken ct)
    {
        var url = options.Required("url");
        var origin = options.Required("origin");
        var key = options.Required("key");
        var prime = options.Optional("prime") ?? "/s/0";
        var concurrency = Math.Max(1, options.Int("concurrency", 200));
        using var client = BenchHttp.Create(concurrency);

        // Open the connections first (on a cached page), so the measured requests do not include connecting.
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => BenchHttp.GetAsync(client, url + prime, null, ct)));

        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var elapsed = new TimeSpan[concurrency];
        var statuses = new int[concurrency];
        var requests = Enumerable.Range(0, concurrency).Select(async i =>
        {
            await gate.Task.WaitAsync(ct);
            var started = time.GetTimestamp();
            statuses[i] = (await BenchHttp.GetAsync(client, $"{url}/hot/{key}", null, ct)).Status;
            elapsed[i] = time.GetElapsedTime(started);
        }).ToList();
        gate.SetResult();
        await Task.WhenAll(requests);

        var latencies = new Latencies();
        foreach (var e in elapsed)
        {
            latencies.Add(e);
        }

        var originRequests = await BenchHttp.CountAsync(client, $"{origin}/_count/hot/{key}", ct);
        var errors = statuses.Count(s => s != 200);
        Console.Out.WriteLine("RESULT " + ResultLine.Fields(
            ("requests", concurrency), ("errors", errors), ("origin_requests", originRequests)) + " " + latencies.Summary());
        return errors == 0 ? 0 : 1;
    }
}
