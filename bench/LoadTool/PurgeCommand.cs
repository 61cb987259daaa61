namespace IsrProxy.LoadTool;

/// <summary>Times <c>POST /_revalidate/tag/{tag}</c> on IsrProxy, one after another, after one untimed call.</summary>
internal sealed class PurgeCommand(TimeProvider time)
{
    public async Task<int> RunAsync(CommandLine options, CancellationToken ct)
    {
        var url = options.Required("url");
        var secret = options.Required("secret");
        var tag = options.Required("tag");
        var count = Math.Max(1, options.Int("count", 20));
        using var client = BenchHttp.Create(1);
        var latencies = new Latencies();
        for (var i = 0; i <= count; i++)
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
                latencies.Add(elapsed);
            }
        }

        Console.Out.WriteLine("RESULT " + ResultLine.Fields(("count", count)) + " " + latencies.Summary());
        return 0;
    }
}
