using IsrProxy.Configuration;
using IsrProxy.Proxy;
using IsrProxy.Revalidation;
using IsrProxy.Storage;
using Microsoft.Extensions.Options;

namespace IsrProxy.Observability;

/// <summary>What <c>/readyz</c> reports.</summary>
internal readonly record struct Readiness(bool StoreReachable, bool OriginReachable, bool Warmed)
{
    /// <summary>
    /// Warming (prerendering, within its time limit) is not ready. A store or origin that cannot be reached is
    /// degraded but still ready: the proxy keeps serving what it holds and passes the rest through, and taking every
    /// replica out of rotation because the origin is down would turn a partial outage into a full one.
    /// </summary>
    public string Status => !Warmed ? "warming" : StoreReachable && OriginReachable ? "ready" : "degraded";

    public bool IsReady => Warmed;
}

/// <summary>
/// Checks the store and the origin for readiness. The origin check is any HTTP answer to <c>HEAD /</c> within two
/// seconds, remembered for one second so probes never load the origin.
/// </summary>
internal sealed class ReadinessProbe(ICacheStore store, OriginEndpoint origin, Prerenderer prerenderer, TimeProvider time, IOptions<IsrOptions> options)
{
    private static readonly TimeSpan CheckTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan OriginResultLifetime = TimeSpan.FromSeconds(1);
    private readonly long _startedAt = time.GetTimestamp();
    private readonly TimeSpan _warmLimit = TimeSpan.FromSeconds(options.Value.Prerender.ReadinessTimeoutSeconds);
    private readonly SemaphoreSlim _originCheck = new(1, 1);
    private (bool Reachable, long CheckedAt)? _lastOrigin;

    public async Task<Readiness> CheckAsync(CancellationToken ct)
    {
        var warmed = prerenderer.Completion.IsCompleted || time.GetElapsedTime(_startedAt) >= _warmLimit;
        return new Readiness(await StoreReachableAsync(ct), await OriginReachableAsync(ct), warmed);
    }

    private async Task<bool> StoreReachableAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            return await store.PingAsync(timeout.Token);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            return false;                                              // the store's own failure logs say why
        }
    }

    private async Task<bool> OriginReachableAsync(CancellationToken ct)
    {
        await _originCheck.WaitAsync(ct);
        try
        {
            if (_lastOrigin is { } last && time.GetElapsedTime(last.CheckedAt) < OriginResultLifetime)
            {
                return last.Reachable;
            }

            var reachable = await ProbeOriginAsync(ct);
            _lastOrigin = (reachable, time.GetTimestamp());
            return reachable;
        }
        finally
        {
            _originCheck.Release();
        }
    }

    private async Task<bool> ProbeOriginAsync(CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(CheckTimeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Head, origin.Resolve("/"));
            using var response = await origin.Invoker.SendAsync(request, timeout.Token);
            return true;                                               // any answer, even an error page, means it is up
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
        {
            return false;
        }
    }
}
