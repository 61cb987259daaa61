namespace IsrProxy.LoadTool;

/// <summary>
/// The first request after an entry expires: fills <c>/slow/{key}-{i}</c> (fresh for 1 s on a 200 ms origin), waits
/// until every one is past its lifetime, then times the first request to each, one after another. A cache that
/// serves stale while it revalidates answers at HIT speed; one that waits for the origin takes 200 ms.
/// </summary>
internal sealed class StaleCommand(TimeProvider time)
{
    public async Task<int> RunAsync(CommandLine options, CancellationToken ct)
    {
        var url = options.Required("url");
        var key = options.Required("key");
        var keys = Math.Max(1, options.Int("keys", 20));
        var waitMs = options.Int("wait-ms", 1500);
        using var client = BenchHttp.Create(keys);
        var fills = await Task.WhenAll(Enumerable.Range(0, keys).Select(i => BenchHttp.GetAsync(client, $"{url}/slow/{key}-{i}", null, ct)));
        if (fills.Any(f => f.Status != 200))
        {
            Console.Error.WriteLine($"stale: filling /slow/{key}-* answered {string.Join(",", fills.Select(f => f.Status))}.");
            return 1;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(waitMs), time, ct);
        var latencies = new Latencies();
        var classes = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = 0;
        for (var i = 0; i < keys; i++)
        {
            var started = time.GetTimestamp();
            var answer = await BenchHttp.GetAsync(client, $"{url}/slow/{key}-{i}", null, ct);
            latencies.Add(time.GetElapsedTime(started));
            errors += answer.Status == 200 ? 0 : 1;
            var name = answer.CacheClass.Length == 0 ? "none" : answer.CacheClass;
            classes[name] = classes.GetValueOrDefault(name) + 1;
        }

        Console.Out.WriteLine("RESULT " + ResultLine.Fields(
            ("keys", keys), ("errors", errors), ("classes", string.Join(",", classes.Select(c => $"{c.Key}:{c.Value}")))) +
            " " + latencies.Summary());
        return errors == 0 ? 0 : 1;
    }
}
