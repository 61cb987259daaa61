namespace IsrProxy.LoadTool;

/// <summary>
/// Times <c>POST /_revalidate/tag/{tag}</c> on IsrProxy for one or more tags (<c>--tags a,b</c>), taking them in turn
/// (a, b, a, b, ...) so that whatever slows the machine for a while touches every tag alike, after one untimed call of
/// each. One RESULT line per tag, named by <c>tag=</c>.
/// </summary>
internal sealed class PurgeCommand(TimeProvider time)
{
    public async Task<int> RunAsync(CommandLine options, CancellationToken ct)
    {
        var url = options.Required("url");
        var secret = options.Required("secret");
        var tags = options.Required("tags").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Distinct(StringComparer.Ordinal).ToList();
        if (tags.Count == 0)
        {
            throw new ArgumentException("--tags names no tag.");
        }

        var count = Math.Max(1, options.Int("count", 20));
        using var client = BenchHttp.Create(1);
        var latencies = tags.ToDictionary(t => t, _ => new Latencies(), StringComparer.Ordinal);
        for (var i = 0; i <= count; i++)
        {
            foreach (var tag in tags)
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, $"{url}/_revalidate/tag/{Uri.EscapeDataString(tag)}");
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + secret);
                var started = time.GetTimestamp();
                var answer = await BenchHttp.SendAsync(client, request, ct);
                var elapsed = time.GetElapsedTime(started);
                if (answer.Status != 200)
                {
                    Console.Error.WriteLine($"purge: POST /_revalidate/tag/{tag} answered {answer.Status}, not 200.");
                    return 1;
                }

                if (i > 0)
                {
                    latencies[tag].Add(elapsed);
                }
            }
        }

        foreach (var tag in tags)
        {
            Console.Out.WriteLine("RESULT " + ResultLine.Fields(("tag", tag), ("count", count)) + " " + latencies[tag].Summary());
        }

        return 0;
    }
}
