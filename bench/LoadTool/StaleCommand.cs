namespace IsrProxy.LoadTool;

/// <summary>
/// The first request after an entry expires, on one or more targets: fills <c>/slow/{key}-{i}</c> (fresh for 1 s on a
/// 200 ms origin) through every target at once, waits until every one is past its lifetime, then, target after target,
/// times the first request to each page, one after another. A cache that serves stale while it revalidates answers at
/// HIT speed; one that waits for the origin takes 200 ms. Between two targets it pauses (<c>--settle-ms</c>) until the
/// regenerations the last one started are done, so that they do not share the server core with the next one's
/// requests. With <c>--wake PATH</c>, a few untimed requests for PATH (a page the targets hold) come first on each
/// target: after the seconds of waiting, the first request took 3–5 ms here whether it was answered STALE or HIT,
/// the next ones a tenth of that; that is the client and server waking up, not the STALE path. One RESULT line per
/// target, named by <c>target=</c>.
/// </summary>
internal sealed class StaleCommand(TimeProvider time)
{
    private const int WakeRequests = 3;

    public async Task<int> RunAsync(CommandLine options, CancellationToken ct)
    {
        var targets = Targets(options.Required("targets"));
        var key = options.Required("key");
        var keys = Math.Max(1, options.Int("keys", 20));
        var waitMs = options.Int("wait-ms", 1500);
        var settleMs = options.Int("settle-ms", 500);
        var wake = options.Optional("wake");
        if (wake is not null && !wake.StartsWith('/'))
        {
            throw new ArgumentException($"--wake: '{wake}' is not a path (a path starts with /).");
        }

        using var client = BenchHttp.Create(keys);                          // connections per target
        var fills = await Task.WhenAll(targets.SelectMany(t =>
            Enumerable.Range(0, keys).Select(async i => (t.Name, (await BenchHttp.GetAsync(client, Page(t.Url, key, i), null, ct)).Status))));
        var failed = fills.Where(f => f.Status != 200).ToList();
        if (failed.Count > 0)
        {
            Console.Error.WriteLine($"stale: filling /slow/{key}-* answered {string.Join(", ", failed.Select(f => $"{f.Status} on {f.Name}"))}.");
            return 1;
        }

        await Task.Delay(TimeSpan.FromMilliseconds(waitMs), time, ct);
        var errors = 0;
        for (var t = 0; t < targets.Count; t++)
        {
            if (t > 0)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(settleMs), time, ct);
            }

            if (wake is not null)
            {
                for (var i = 0; i < WakeRequests; i++)
                {
                    await BenchHttp.GetAsync(client, targets[t].Url + wake, null, ct);
                }
            }

            errors += await TimeFirstRequestsAsync(client, targets[t], key, keys, ct);
        }

        return errors == 0 ? 0 : 1;
    }

    /// <summary><c>name=url,name=url</c>: the targets in the order they are timed.</summary>
    internal static IReadOnlyList<(string Name, string Url)> Targets(string text)
    {
        var targets = new List<(string Name, string Url)>();
        foreach (var item in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var equals = item.IndexOf('=');
            if (equals <= 0 || equals == item.Length - 1)
            {
                throw new ArgumentException($"--targets: '{item}' is not of the form name=url.");
            }

            var name = item[..equals];
            if (targets.Any(t => t.Name == name))
            {
                throw new ArgumentException($"--targets: '{name}' is named twice.");
            }

            targets.Add((name, item[(equals + 1)..].TrimEnd('/')));
        }

        return targets.Count > 0 ? targets : throw new ArgumentException("--targets names no target.");
    }

    private static string Page(string url, string key, int i) => $"{url}/slow/{key}-{i}";

    private async Task<int> TimeFirstRequestsAsync(HttpClient client, (string Name, string Url) target, string key, int keys, CancellationToken ct)
    {
        var latencies = new Latencies();
        var classes = new Dictionary<string, int>(StringComparer.Ordinal);
        var errors = 0;
        for (var i = 0; i < keys; i++)
        {
            var started = time.GetTimestamp();
            var answer = await BenchHttp.GetAsync(client, Page(target.Url, key, i), null, ct);
            latencies.Add(time.GetElapsedTime(started));
            errors += answer.Status == 200 ? 0 : 1;
            var name = answer.CacheClass.Length == 0 ? "none" : answer.CacheClass;
            classes[name] = classes.GetValueOrDefault(name) + 1;
        }

        Console.Out.WriteLine("RESULT " + ResultLine.Fields(
            ("target", target.Name), ("keys", keys), ("errors", errors),
            ("classes", string.Join(",", classes.Select(c => $"{c.Key}:{c.Value}")))) + " " + latencies.Summary());
        return errors;
    }
}
