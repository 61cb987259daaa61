namespace IsrProxy.LoadTool;

/// <summary>
/// Verifies a warm-up: requests a sample of the warmed paths through the target and counts how many reached the
/// origin (none should). Also reports the content coding and body size clients get.
/// </summary>
internal sealed class CheckCommand
{
    public async Task<int> RunAsync(CommandLine options, CancellationToken ct)
    {
        var url = options.Required("url");
        var origin = options.Required("origin");
        var prefix = options.Required("prefix");
        var count = Math.Max(1, options.Int("count", 1000));
        var sample = Math.Clamp(options.Int("sample", 200), 1, count);
        var encoding = options.Optional("encoding");
        using var client = BenchHttp.Create(1);
        var before = await BenchHttp.CountAsync(client, $"{origin}/_count/all", ct);
        var errors = 0;
        long bytes = 0;
        var codings = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < sample; i++)
        {
            var answer = await BenchHttp.GetAsync(client, $"{url}{prefix}{(long)i * count / sample}", encoding, ct);
            errors += answer.Status == 200 ? 0 : 1;
            bytes += answer.BodyBytes;
            codings[answer.Encoding] = codings.GetValueOrDefault(answer.Encoding) + 1;
        }

        var after = await BenchHttp.CountAsync(client, $"{origin}/_count/all", ct);
        var coding = codings.MaxBy(c => c.Value).Key;
        ResultLine.Write(
            ("sampled", sample), ("origin_requests", after - before), ("errors", errors), ("encoding", coding),
            ("body_bytes", bytes / sample));
        return 0;
    }
}
