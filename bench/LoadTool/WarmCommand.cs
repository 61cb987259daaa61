namespace IsrProxy.LoadTool;

/// <summary>
/// Requests every path <c>{prefix}{from}</c> … <c>{prefix}{from+count-1}</c> once through a target, with bounded
/// concurrency, so each is cached before anything is measured.
/// </summary>
internal sealed class WarmCommand(TimeProvider time)
{
    public async Task<int> RunAsync(CommandLine options, CancellationToken ct)
    {
        var url = options.Required("url");
        var prefix = options.Required("prefix");
        var from = options.Int("from", 0);
        var count = options.Int("count", 1000);
        var concurrency = Math.Max(1, options.Int("concurrency", 32));
        var encoding = options.Optional("encoding");
        using var client = BenchHttp.Create(concurrency);
        var errors = 0;
        var started = time.GetTimestamp();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = ct };
        await Parallel.ForEachAsync(Enumerable.Range(from, count), parallel, async (n, token) =>
        {
            var answer = await BenchHttp.GetAsync(client, $"{url}{prefix}{n}", encoding, token);
            if (answer.Status != 200)
            {
                Interlocked.Increment(ref errors);
            }
        });

        ResultLine.Write(("requests", count), ("errors", errors), ("seconds", time.GetElapsedTime(started).TotalSeconds));
        return errors == 0 ? 0 : 1;
    }
}
