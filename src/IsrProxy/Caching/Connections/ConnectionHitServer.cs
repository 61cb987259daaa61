using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using IsrProxy.Caching.Http;
using IsrProxy.Configuration;
using IsrProxy.Observability;
using IsrProxy.Rules;
using IsrProxy.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IsrProxy.Caching.Connections;

/// <summary>
/// Kestrel connection middleware that answers fresh hits for plain GET requests (see <see cref="PlainGetParser"/>)
/// straight from the store to the connection, before Kestrel's HTTP/1.1 handler and ASP.NET Core's pipeline: the same
/// bytes <see cref="CacheMiddleware"/> would send, at a fraction of the cost. At the first request it does not answer
/// (another shape, a miss, a stale entry, a route that bypasses), it hands the connection to Kestrel with that request
/// unread, and Kestrel serves it and every later one as if this middleware had never looked.
/// </summary>
internal sealed class ConnectionHitServer : IDisposable
{
    private readonly RuleSetProvider _rules;
    private readonly ICacheStore _store;
    private readonly IInProcessLookup? _inProcess;
    private readonly TagClock _clock;
    private readonly IsrMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly EndpointDataSource _endpoints;
    private readonly ILogger<RequestLogMiddleware> _requestLog;
    private readonly PlainGetParser _parser;
    private readonly long _keepAliveMs;
    private readonly MinDataRate? _minResponseRate;
    private readonly HitConnectionWatch _watch = new(TimeProvider.System);
    private string[]? _reserved;
    private long _answered;
    private int _waitingForClient;

    public ConnectionHitServer(
        RuleSetProvider rules,
        ICacheStore store,
        TagClock clock,
        IsrMetrics metrics,
        TimeProvider time,
        EndpointDataSource endpoints,
        IOptions<IsrOptions> options,
        IOptions<KestrelServerOptions> kestrel,
        IConfiguration configuration,
        ILogger<RequestLogMiddleware> requestLog)
    {
        _rules = rules;
        _store = store;
        _inProcess = store as IInProcessLookup;
        _clock = clock;
        _metrics = metrics;
        _time = time;
        _endpoints = endpoints;
        _requestLog = requestLog;
        var limits = kestrel.Value.Limits;
        _parser = new PlainGetParser(
            Math.Min(limits.MaxRequestLineSize, limits.MaxRequestHeadersTotalSize),
            limits.MaxRequestHeaderCount,
            options.Value.Proxy.EffectiveBypassHeaders);
        _keepAliveMs = (long)limits.KeepAliveTimeout.TotalMilliseconds;
        _minResponseRate = limits.MinResponseDataRate;

        // Development bypasses the cache; host filtering answers 400 to hosts it does not allow; the stored heads name
        // Kestrel as the Server, as Kestrel does unless told not to: in those cases Kestrel answers everything.
        IsEnabled = options.Value.Proxy.ConnectionHits && !options.Value.Development && AllowsAnyHost(configuration["AllowedHosts"])
            && kestrel.Value.AddServerHeader;
    }

    public bool IsEnabled { get; }

    /// <summary>Hits answered here since start.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Connections this middleware holds now (not yet closed or handed to Kestrel).</summary>
    public int Connections => _watch.Count;

    /// <summary>Connections whose answer waits now, in the transport's pipe, for the client to read.</summary>
    public int WaitingForClient => Volatile.Read(ref _waitingForClient);

    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (!IsEnabled || await AnswerHitsAsync(connection))
        {
            await next(connection);
        }
    }

    public void Dispose() => _watch.Dispose();

    /// <summary>Answers hits until a request needs Kestrel (true) or the connection ends (false).</summary>
    private async Task<bool> AnswerHitsAsync(ConnectionContext context)
    {
        var input = context.Transport.Input;
        var output = context.Transport.Output;
        var connection = new HitConnection(context, context.Features.Get<IConnectionSocketFeature>()?.Socket);
        using var closing = context.Features.Get<IConnectionLifetimeNotificationFeature>()?.ConnectionClosedRequested
            .Register(static c => ((HitConnection)c!).RequestClose(), connection);
        _watch.Add(connection);
        try
        {
            while (connection.WaitForRequest(_keepAliveMs))
            {
                var result = await input.ReadAsync();
                connection.Busy();
                var buffer = result.Buffer;
                if (result.IsCanceled)
                {
                    input.AdvanceTo(buffer.Start);
                    return !buffer.IsEmpty;                              // closing: a request already here is Kestrel's
                }

                var consumed = buffer.Start;
                var handOver = false;
                while (!handOver && !buffer.Slice(consumed).IsEmpty)
                {
                    if (Recognise(connection, buffer.Slice(consumed)) is not { } request)
                    {
                        handOver = true;
                        break;
                    }

                    if (await TryAnswerAsync(request, context.ConnectionClosed) is not { } answer)
                    {
                        handOver = true;
                        break;
                    }

                    if (!connection.TrySend(answer, output, out var piped))
                    {
                        return false;                                    // the connection failed
                    }

                    consumed = buffer.GetPosition(request.Length, consumed);
                    if (piped > 0)
                    {
                        // Flushed before the next answer, so a client that pipelines requests and reads nothing has
                        // at most one answer buffered here, as with Kestrel.
                        connection.Sending(SendTimeoutMs(piped));
                        Interlocked.Increment(ref _waitingForClient);
                        FlushResult flush;
                        try
                        {
                            flush = await output.FlushAsync();
                        }
                        finally
                        {
                            Interlocked.Decrement(ref _waitingForClient);
                        }

                        connection.Busy();
                        if (flush.IsCompleted || flush.IsCanceled)
                        {
                            input.AdvanceTo(consumed, buffer.End);
                            return false;
                        }
                    }
                }

                if (handOver)
                {
                    input.AdvanceTo(consumed, consumed);                 // unread, so Kestrel's first read returns it
                    return true;
                }

                input.AdvanceTo(consumed, buffer.End);
                if (result.IsCompleted)
                {
                    return false;
                }
            }

            return false;                                                // asked to close while idle
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
            return false;                                                // reset, aborted or timed out: nothing to answer
        }
        finally
        {
            _watch.Remove(connection);
            connection.Release();
        }
    }

    private Recognised? Recognise(HitConnection connection, in ReadOnlySequence<byte> data)
    {
        var scratch = data.IsSingleSegment ? default : connection.Scratch(_parser.MaxHeadBytes).AsSpan();
        if (_parser.Parse(data, scratch, out var get) != PlainGetParse.Parsed)
        {
            return null;
        }

        var (br, gzip) = get.HasAcceptEncoding ? connection.Acceptable(get.AcceptEncoding) : default;
        var chars = connection.PathChars(get.Path.Length);
        var length = Encoding.ASCII.GetChars(get.Path, chars);
        return new Recognised(chars.AsMemory(0, length), br, gzip, get.Length);
    }

    /// <summary>The answer to <paramref name="request"/>, or null when Kestrel should answer instead.</summary>
    private async ValueTask<HitAnswer?> TryAnswerAsync(Recognised request, CancellationToken ct)
    {
        var logged = _requestLog.IsEnabled(LogLevel.Information);
        var started = logged ? _time.GetTimestamp() : 0;
        var path = request.Path;
        if (IsReserved(path.Span) || !IsCacheable(_rules.Current.Match(path.Span)))
        {
            return null;
        }

        CacheEntry? entry;
        if (_inProcess is not null && _inProcess.TryGetInProcess(path.Span, out var held))
        {
            entry = held;                                                // the usual hit: no key string made
        }
        else
        {
            try
            {
                entry = await _store.GetAsync(path.ToString(), ct);
            }
            catch (Exception) when (!ct.IsCancellationRequested)
            {
                return null;                                             // the pipeline retries, logs and counts it
            }
        }

        var now = _time.GetUtcNow();
        if (entry is null or { IsMarker: true } || Freshness.Evaluate(entry, _clock, now) is not { State: FreshnessState.Fresh } freshness)
        {
            return null;
        }

        var variant = CachedResponse.EncodingIndex(entry, request.Br, request.Gzip) + 1;
        var head = entry.HitHead(variant);
        if (head.Length == 0)
        {
            return null;
        }

        _metrics.Request(CacheClass.Hit);
        Interlocked.Increment(ref _answered);
        if (logged)
        {
            RequestLogMiddleware.Log.Request(_requestLog, HttpMethods.Get, path.ToString(), StatusCodes.Status200OK, CacheClass.Hit.Label(),
                Math.Round(_time.GetElapsedTime(started).TotalMilliseconds, 3), null);
        }

        return new HitAnswer(
            head,
            CachedResponse.AgeText(entry, now),
            CacheStatusHeader.Append(entry.OriginCacheStatus, CacheMiddleware.HitMember(freshness)),
            variant == 0 ? entry.Body : entry.Encodings[variant - 1].Body);
    }

    // Routes whose hits need the request (Vary) or a listing check (Fallback: false) are the pipeline's.
    private static bool IsCacheable(RouteRule rule)
        => RequestClassifier.RouteBypass(rule) == BypassReason.None && rule.Vary.Count == 0 && rule.Fallback != FallbackMode.False;

    /// <summary>Paths under one of the proxy's own endpoints (health, metrics, purge): never answered from the cache.</summary>
    private bool IsReserved(ReadOnlySpan<char> path)
    {
        var reserved = _reserved ??= [.. _endpoints.Endpoints.OfType<RouteEndpoint>().Select(e => LiteralPrefix(e.RoutePattern.RawText)).Distinct()];
        foreach (var prefix in reserved)
        {
            if (path.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    // "/_revalidate/tag/{**tag}" → "/_revalidate/tag"; "healthz" → "/healthz"; a pattern starting with a parameter → "/"
    // (every path: nothing is answered here then).
    private static string LiteralPrefix(string? pattern)
    {
        var text = pattern ?? "";
        var brace = text.IndexOf('{');
        var literal = (brace < 0 ? text : text[..brace]).TrimEnd('/');
        return literal.StartsWith('/') ? literal : "/" + literal;
    }

    // As long as Kestrel's minimum response data rate allows, grace period included; no limit when it has none.
    private long SendTimeoutMs(long bytes)
        => _minResponseRate is { BytesPerSecond: > 0 } rate
            ? (long)(rate.GracePeriod.TotalMilliseconds + bytes * 1000 / rate.BytesPerSecond)
            : long.MaxValue;

    private static bool AllowsAnyHost(string? allowedHosts)
        => string.IsNullOrWhiteSpace(allowedHosts) || allowedHosts.Split(';').Any(h => h.Trim() == "*");

    private readonly record struct Recognised(ReadOnlyMemory<char> Path, bool Br, bool Gzip, int Length);
}
