using IsrProxy.Caching.Http;
using IsrProxy.Configuration;
using IsrProxy.NextJs;
using IsrProxy.Observability;
using IsrProxy.Proxy;
using IsrProxy.Revalidation;
using IsrProxy.Rules;
using IsrProxy.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace IsrProxy.Caching;

/// <summary>
/// Answers a request with nothing usable stored: one coalesced fill per key ("fallback: blocking"), its answer shared
/// by every waiter when it was stored (or is a server error), a stale entry when the origin fails within
/// stale-if-error. An answer that could not be stored is handed to nobody: the key turns hit-for-pass and every
/// request that waited on it, the leader's too, is forwarded to the origin with its own headers.
/// </summary>
internal sealed class MissHandler(
    MissCoalescer coalescer,
    CacheFiller filler,
    OriginForwarder forwarder,
    HitForPass passes,
    NextJsFills nextJs,
    TagClock clock,
    TimeProvider time,
    IOptions<IsrOptions> options)
{
    private readonly HashSet<string> _hiddenHeaders = new(options.Value.TagHeaders.Hidden(), StringComparer.OrdinalIgnoreCase);

    public async Task HandleAsync(HttpContext context, CacheDecision decision, LookupResult found, IsrRequestFeature feature)
    {
        var fill = FillRequest.FromClient(context.Request, decision, found.VaryOn) with { PrerenderRevalidate = nextJs.MustRender(found.Entry) };
        var (task, leader) = coalescer.Run(found.Key, () => FillAsync(fill, decision.Rule, found.Key));
        FillOutcome outcome;
        try
        {
            // The leader waits for its fill even when its client leaves, to release what the outcome holds.
            outcome = leader ? await task : await task.WaitAsync(context.RequestAborted);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;                                                  // this client left; the fill goes on for the others
        }

        feature.OriginDuration = outcome.OriginDuration;
        var collapsed = !leader;
        switch (outcome.Kind)
        {
            case FillKind.Stored or FillKind.Shared when outcome.Entry is { } entry:
                if (outcome.Kind == FillKind.Shared && entry.StatusCode >= 500 && await TryServeStaleOnErrorAsync(context, found, feature))
                {
                    return;
                }

                if (collapsed && !IsSameVariant(context.Request, decision, entry))
                {
                    await ForwardAsync(context, decision, feature, outcome.Reason, collapsed);   // another variant of this URL
                    return;
                }

                var stored = outcome.Kind == FillKind.Stored;
                var member = stored
                    ? CacheStatusHeader.Miss(stored: true, collapsed)
                    : CacheStatusHeader.Miss(stored: false, collapsed, CacheStatusHeader.DetailToken(outcome.Reason));
                await Serve(context, feature, entry, member);
                return;

            case FillKind.TooLarge when outcome.Streaming is { } streaming && leader && outcome.TryClaimStream():
                using (streaming)
                {
                    await StreamAsync(context, feature, streaming, _hiddenHeaders);
                }

                return;

            case FillKind.Failed:
                if (await TryServeStaleOnErrorAsync(context, found, feature))
                {
                    return;
                }

                feature.Class = CacheClass.Miss;
                context.Response.StatusCode = outcome.FailureStatus;
                context.Response.Headers[IsrHeaders.XIsrCache] = CacheClass.Miss.Label();
                context.Response.Headers[IsrHeaders.CacheStatus] = CacheStatusHeader.Miss(stored: false, collapsed, CacheStatusHeader.DetailToken(NotStoredReason.OriginError));
                context.Response.ContentType = "text/plain; charset=utf-8";
                await context.Response.WriteAsync(
                    outcome.FailureStatus == StatusCodes.Status504GatewayTimeout ? "The origin did not answer in time.\n" : "The origin could not be reached.\n",
                    context.RequestAborted);
                return;

            default:
                await ForwardAsync(context, decision, feature, outcome.Reason, collapsed);  // an answer that could not be stored is not shared
                return;
        }
    }

    // The coalesced fill: the key turns hit-for-pass before any waiter is released, so a request that arrives after
    // them finds the marker instead of starting a fill of its own.
    private async Task<FillOutcome> FillAsync(FillRequest fill, RouteRule rule, string key)
    {
        var renderStartedAt = time.GetUtcNow();
        var outcome = await filler.FillAsync(fill, rule, OriginPurpose.Fill);
        if (outcome.Kind is FillKind.Pass or FillKind.TooLarge)
        {
            await passes.RememberAsync(key, fill, outcome.Entry?.Tags ?? [], outcome.Reason, renderStartedAt);
        }

        return outcome;
    }

    private static Task Serve(HttpContext context, IsrRequestFeature feature, CacheEntry entry, string member)
    {
        feature.Class = CacheClass.Miss;
        if (feature.OriginDuration is { } origin)
        {
            context.Response.Headers[IsrHeaders.ServerTiming] = $"origin;dur={origin.TotalMilliseconds:0.#}";
        }

        return CachedResponse.WriteAsync(context, entry, CacheClass.Miss, member, default, fromStore: false);
    }

    private async Task<bool> TryServeStaleOnErrorAsync(HttpContext context, LookupResult found, IsrRequestFeature feature)
    {
        var now = time.GetUtcNow();
        if (found.Entry is not { } stale || !Freshness.UsableOnError(stale, clock, now))
        {
            return false;
        }

        feature.Class = CacheClass.Stale;
        var past = stale.RevalidateAt is { } at && now > at ? (long)(now - at).TotalSeconds : 0;
        await CachedResponse.WriteAsync(context, stale, CacheClass.Stale, CacheStatusHeader.Stale(past), now, fromStore: true);
        return true;
    }

    private Task ForwardAsync(HttpContext context, CacheDecision decision, IsrRequestFeature feature, NotStoredReason reason, bool collapsed)
    {
        feature.Class = CacheClass.Miss;
        feature.CacheStatusMember = CacheStatusHeader.Miss(stored: false, collapsed, CacheStatusHeader.DetailToken(reason));
        return forwarder.ForwardAsync(context, decision.Rule);
    }

    private static bool IsSameVariant(HttpRequest request, CacheDecision decision, CacheEntry entry)
        => entry.VaryOn.Length == 0
           || entry.Key == CacheKeys.Variant(decision.PrimaryKey, entry.VaryOn, name => CacheKeys.ForwardedValue(request.Headers, name));

    // A body above the cacheable maximum goes to its one client as it arrives, never buffered whole.
    private static async Task StreamAsync(HttpContext context, IsrRequestFeature feature, OriginResponse origin, HashSet<string> hiddenHeaders)
    {
        feature.Class = CacheClass.Miss;
        var response = context.Response;
        response.StatusCode = origin.StatusCode;
        var connectionNamed = origin.Message.Headers.Connection;
        foreach (var header in origin.Message.Headers.NonValidated.Concat(origin.Message.Content.Headers.NonValidated))
        {
            if (!IsrHeaders.HopByHop.Contains(header.Key) && !connectionNamed.Contains(header.Key) && !hiddenHeaders.Contains(header.Key))
            {
                response.Headers.Append(header.Key, header.Value.ToArray());
            }
        }

        response.Headers[IsrHeaders.XIsrCache] = CacheClass.Miss.Label();
        response.Headers[IsrHeaders.CacheStatus] = CacheStatusHeader.Append(
            response.Headers[IsrHeaders.CacheStatus].ToString(),
            CacheStatusHeader.Miss(stored: false, collapsed: false, CacheStatusHeader.DetailToken(NotStoredReason.TooLarge)));
        if (HttpMethods.IsHead(context.Request.Method))
        {
            return;
        }

        await response.Body.WriteAsync(origin.Body, context.RequestAborted);
        var rest = await origin.Message.Content.ReadAsStreamAsync(context.RequestAborted);
        await rest.CopyToAsync(response.Body, context.RequestAborted);
    }
}
