using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.LoadTool.Tests;

[Collection(LoopbackServer.ConsoleCollection)]
public sealed class PurgeCommandTests
{
    [Fact]
    public async Task TakesTheTagsInTurn_WithTheSecret_OneResultPerTag()
    {
        var purges = new ConcurrentQueue<(string Tag, string Authorization)>();
        await using var cache = await LoopbackServer.StartAsync(app => app.MapPost("/_revalidate/tag/{tag}", (HttpContext context, string tag) =>
        {
            purges.Enqueue((tag, context.Request.Headers.Authorization.ToString()));
            return Results.Ok();
        }));
        var options = CommandLine.Parse(["--url", LoopbackServer.Url(cache), "--secret", "s3", "--tags", "s-1,bench", "--count", "3"]);

        var (exit, output) = await LoopbackServer.RunAsync(() => new PurgeCommand(TimeProvider.System).RunAsync(options, CancellationToken.None));

        Assert.Equal(0, exit);
        Assert.Equal(Enumerable.Repeat(new[] { "s-1", "bench" }, 4).SelectMany(t => t), purges.Select(p => p.Tag));   // one untimed each, then 3
        Assert.All(purges, p => Assert.Equal("Bearer s3", p.Authorization));
        var results = output.Split('\n').Where(l => l.StartsWith("RESULT ", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, results.Count);
        Assert.StartsWith("RESULT tag=s-1 count=3 p50_ms=", results[0]);
        Assert.StartsWith("RESULT tag=bench count=3 p50_ms=", results[1]);
    }

    [Fact]
    public async Task ARefusedPurge_FailsTheCommand()
    {
        await using var cache = await LoopbackServer.StartAsync(app => app.MapPost("/_revalidate/tag/{tag}", () => Results.Unauthorized()));
        var options = CommandLine.Parse(["--url", LoopbackServer.Url(cache), "--secret", "wrong", "--tags", "s-1"]);

        var (exit, output) = await LoopbackServer.RunAsync(() => new PurgeCommand(TimeProvider.System).RunAsync(options, CancellationToken.None));

        Assert.Equal(1, exit);
        Assert.DoesNotContain("RESULT", output, StringComparison.Ordinal);
    }
}
