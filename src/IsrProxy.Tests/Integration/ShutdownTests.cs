using IsrProxy.Revalidation;
using IsrProxy.Storage;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary>Shutdown stops taking work and lets a running regeneration finish, up to the timeout.</summary>
public sealed class ShutdownTests
{
    [Fact]
    public async Task Stop_WaitsForAnInFlightRegeneration()
    {
        var time = new ManualTimeProvider();
        var regenerating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", async (ctx, n) =>
        {
            if (n == 2)
            {
                regenerating.SetResult();
                await release.Task;
            }

            await ctx.Response.WriteAsync($"v{n}");
        }));
        var proxy = await ProxyHost.StartAsync(origin, """[{ "Match": "/**", "Revalidate": 10 }]""", time);
        var store = proxy.Get<ICacheStore>();
        var worker = proxy.Get<RegenerationWorker>();
        var queue = proxy.Get<RegenerationQueue>();
        await proxy.FetchAsync("/p");
        time.Advance(TimeSpan.FromSeconds(11));
        await proxy.FetchAsync("/p");
        await regenerating.Task;

        var stopping = proxy.DisposeAsync().AsTask();
        await Eventually.TrueAsync(() => queue.Reader.Completion.IsCompleted, "shutdown closed the regeneration queue");
        Assert.False(stopping.IsCompleted, "shutdown finished while a regeneration was still running");
        release.SetResult();                                                // had shutdown not waited, this render was cancelled
        await stopping;

        Assert.Equal(1, worker.Succeeded);
        var entry = await store.GetAsync("/p", default);
        Assert.Equal("v2", System.Text.Encoding.UTF8.GetString(entry!.Body.Span));
    }

    [Fact]
    public async Task Stop_GivesUpOnARegenerationAtTheShutdownTimeout()
    {
        var time = new ManualTimeProvider();
        var regenerating = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var origin = await OriginServer.StartAsync(o => o.Route("/p", async (ctx, n) =>
        {
            if (n == 2)
            {
                regenerating.TrySetResult();
                await Task.Delay(Timeout.Infinite, ctx.RequestAborted);     // a render that never ends
            }

            await ctx.Response.WriteAsync($"v{n}");
        }));
        var proxy = await ProxyHost.StartAsync(
            origin,
            """[{ "Match": "/**", "Revalidate": 10 }]""",
            time,
            new Dictionary<string, string?> { ["Isr:Regeneration:ShutdownTimeoutSeconds"] = "1" });
        await proxy.FetchAsync("/p");
        time.Advance(TimeSpan.FromSeconds(11));
        await proxy.FetchAsync("/p");
        await regenerating.Task;

        var stopping = proxy.DisposeAsync().AsTask();
        await Eventually.TrueAsync(() => time.HasTimerDueWithin(TimeSpan.FromSeconds(1)), "shutdown waits out its drain timeout");
        time.Advance(TimeSpan.FromSeconds(2));                              // the drain timeout passes
        await Eventually.WithinAsync(stopping, "the proxy stops once the drain timeout has passed");

        Assert.Contains(proxy.Logs.Records, r => r.EventId.Name == "DrainTimedOut");
    }
}
