using IsrProxy.Caching;
using IsrProxy.NextJs;
using IsrProxy.Revalidation;
using IsrProxy.Storage;
using IsrProxy.Storage.Layered;
using IsrProxy.Storage.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IsrProxy.Purge;

/// <summary>
/// On-demand revalidation (SPEC §3) and the read-only admin endpoints. Every path under <c>/_revalidate</c> and
/// <c>/_isr</c> is answered here and never reaches the origin. With no secret configured they answer 404.
/// </summary>
internal static class PurgeEndpoints
{
    private const int DefaultListLimit = 100;
    private const int MaxListLimit = 1000;
    private static readonly string[] Methods = [HttpMethods.Get, HttpMethods.Post];

    public static IEndpointRouteBuilder MapIsrPurge(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/_revalidate/path/{**path}", Methods, (HttpContext context, string? path) =>
            Guarded(context, () => PurgeRequest.TryParsePath(path, Query(context, "type"), Query(context, "mode"), out var request, out var error)
                ? PurgeAsync(context, request)
                : Task.FromResult(BadRequest(error))));
        endpoints.MapMethods("/_revalidate/tag/{**tag}", Methods, (HttpContext context, string? tag) =>
            Guarded(context, () => PurgeRequest.TryParseTag(tag, Query(context, "mode"), out var request, out var error)
                ? PurgeAsync(context, request)
                : Task.FromResult(BadRequest(error))));
        // Cast to Delegate: a lambda taking only HttpContext would bind as a RequestDelegate and drop the IResult.
        endpoints.MapGet("/_isr/entries", (Delegate)((HttpContext context) => Guarded(context, () => EntriesAsync(context))));
        endpoints.MapGet("/_isr/stats", (Delegate)((HttpContext context) => Guarded(context, () => Task.FromResult(Stats(context)))));

        // Anything else under the reserved prefixes is not found here, and never forwarded.
        endpoints.Map("/_revalidate/{**rest}", () => NotFound());
        endpoints.Map("/_isr/{**rest}", () => NotFound());
        return endpoints;
    }

    /// <summary>Runs <paramref name="handle"/> when the purge API is on and the request presents the secret.</summary>
    internal static async Task<IResult> Guarded(HttpContext context, Func<Task<IResult>> handle)
    {
        context.Response.Headers.CacheControl = "no-store";
        var verifier = context.RequestServices.GetRequiredService<SecretVerifier>();
        if (!verifier.IsEnabled)
        {
            return NotFound();
        }

        if (!verifier.Verify(context.Request))
        {
            return Results.Json(new { message = "Invalid token" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        return await handle();
    }

    private static async Task<IResult> PurgeAsync(HttpContext context, PurgeRequest request)
    {
        var outcome = await context.RequestServices.GetRequiredService<PurgeService>().PurgeAsync(request, context.RequestAborted);
        var now = outcome.At.ToUnixTimeMilliseconds();

        // 202: in effect here and queued for the shared store, which could not be reached; 200 promises every replica.
        return outcome.Shared
            ? Results.Json(new { revalidated = true, now })
            : Results.Json(new { revalidated = true, now, propagated = false }, statusCode: StatusCodes.Status202Accepted);
    }

    private static async Task<IResult> EntriesAsync(HttpContext context)
    {
        var prefix = Query(context, "prefix") ?? "/";
        var limitText = Query(context, "limit");
        var limit = DefaultListLimit;
        if (limitText is not null && (!int.TryParse(limitText, out limit) || limit < 1 || limit > MaxListLimit))
        {
            return BadRequest($"limit must be a whole number from 1 to {MaxListLimit}.");
        }

        if (!prefix.StartsWith('/') || prefix.Length > PurgeRequest.MaxPathBytes || prefix.Any(char.IsControl))
        {
            return BadRequest("prefix must be a path starting with '/'.");
        }

        var services = context.RequestServices;
        var clock = services.GetRequiredService<TagClock>();
        var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
        var entries = await services.GetRequiredService<ICacheStore>().ListAsync(prefix, limit, context.RequestAborted);
        var list = entries.Select(e => new
        {
            path = e.Path,
            key = e.Key,
            status = e.StatusCode,
            state = Freshness.Evaluate(e, clock, now).State.ToString().ToLowerInvariant(),
            generatedAt = e.GeneratedAt,
            renderStartedAt = e.RenderStartedAt,
            revalidateAt = e.RevalidateAt,
            tags = e.Tags,
            size = e.Body.Length,
        });
        return Results.Json(new { entries = list });
    }

    private static IResult Stats(HttpContext context)
    {
        var services = context.RequestServices;
        var store = services.GetRequiredService<ICacheStore>();
        var queue = services.GetRequiredService<RegenerationQueue>();
        var worker = services.GetRequiredService<RegenerationWorker>();
        var layered = store as LayeredCacheStore;
        return Results.Json(new
        {
            store = new
            {
                kind = layered is null ? "memory" : "redis",
                entries = store.Count,
                bytes = store.Bytes,
                redis = layered is null ? null : RedisStats(layered, services),
            },
            tagClock = new { stamps = services.GetRequiredService<TagClock>().Count },
            regeneration = new { pending = queue.Pending, dropped = queue.Dropped, succeeded = worker.Succeeded, failed = worker.Failed },
            fillsInFlight = services.GetRequiredService<MissCoalescer>().InFlight,
            purges = services.GetRequiredService<PurgeService>().Purges,
            nextJs = NextJsStats(services.GetRequiredService<NextJsState>()),
        });
    }

    // Whether the proxy knows the build it should have render after purges; never the id itself.
    private static object? NextJsStats(NextJsState state)
        => state.Enabled ? new { buildId = state.BuildId, previewModeIdKnown = state.PreviewModeId is not null } : null;

    private static object RedisStats(LayeredCacheStore store, IServiceProvider services)
    {
        var stats = store.Stats;
        var backplane = services.GetRequiredService<RedisBackplane>();
        return new
        {
            synchronised = store.IsSynchronised,
            subscription = backplane.SubscriptionState.ToString().ToLowerInvariant(),
            reconnects = backplane.Reconnects,
            l1 = new { entries = store.L1.Count, bytes = store.L1.Bytes, hits = stats.L1Hits },
            reads = stats.RedisReads,
            errors = stats.RedisErrors,
            refused = stats.Refused,
            messagesApplied = stats.MessagesApplied,
            resyncs = stats.Resyncs,
            pendingStamps = services.GetRequiredService<RedisClockReplication>().Pending,
        };
    }

    private static string? Query(HttpContext context, string name)
        => context.Request.Query.TryGetValue(name, out var values) ? values.ToString() : null;

    private static IResult BadRequest(string message) => Results.Json(new { message }, statusCode: StatusCodes.Status400BadRequest);

    private static IResult NotFound() => Results.Json(new { message = "Not found" }, statusCode: StatusCodes.Status404NotFound);
}
