using System.Net;
using IsrProxy.Caching.Http;
using IsrProxy.Configuration;
using IsrProxy.NextJs;
using Microsoft.Extensions.Options;

namespace IsrProxy.Proxy;

/// <summary>Sends cache fills to the origin and reads their bodies, bounded by <c>Isr:Store:MaxEntryBytes</c>.</summary>
internal sealed class OriginClient(OriginEndpoint origin, NextJsState nextJs, IOptions<IsrOptions> options)
{
    private const int InitialBuffer = 16 * 1024;
    private readonly long _maxBodyBytes = options.Value.Store.MaxEntryBytes;

    public long MaxBodyBytes => _maxBodyBytes;

    /// <summary>
    /// Sends <paramref name="fill"/> and reads the body. Throws <see cref="HttpRequestException"/> when the origin cannot be
    /// reached and <see cref="OperationCanceledException"/> when <paramref name="ct"/> fires.
    /// </summary>
    public async Task<OriginResponse> SendAsync(FillRequest fill, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, origin.Resolve(fill.PathAndQuery))
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
        };
        foreach (var header in fill.Headers)
        {
            if (!(nextJs.Enabled && string.Equals(header.Key, "Accept-Encoding", StringComparison.OrdinalIgnoreCase)))
            {
                request.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        if (nextJs.Enabled)
        {
            // One coding the cache can recompress for every client: one entry, whatever Vary: Accept-Encoding Next sends.
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "identity");
            if (fill.PrerenderRevalidate && nextJs.PreviewModeId is { } previewModeId)
            {
                request.Headers.TryAddWithoutValidation(IsrHeaders.PrerenderRevalidate, previewModeId);
            }
        }

        request.Headers.TryAddWithoutValidation("User-Agent", IsrHeaders.FillUserAgent);
        if (origin.PublicHost is { } host)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", host);
            request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", origin.PublicScheme);
        }

        var message = await origin.Invoker.SendAsync(request, ct);
        try
        {
            return await ReadBodyAsync(message, ct);
        }
        catch
        {
            message.Dispose();
            throw;
        }
    }

    private async Task<OriginResponse> ReadBodyAsync(HttpResponseMessage message, CancellationToken ct)
    {
        var declared = message.Content.Headers.ContentLength;
        if (declared > _maxBodyBytes)
        {
            return new OriginResponse(message, [], 0, isComplete: false);
        }

        var stream = await message.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[declared is { } d ? (int)d + 1 : InitialBuffer];
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                if (length > _maxBodyBytes)
                {
                    return new OriginResponse(message, buffer, length, isComplete: false);
                }

                Array.Resize(ref buffer, (int)Math.Min(Math.Max(buffer.Length * 2L, InitialBuffer), _maxBodyBytes + 1));
            }

            var read = await stream.ReadAsync(buffer.AsMemory(length), ct);
            if (read == 0)
            {
                break;
            }

            length += read;
        }

        if (length > _maxBodyBytes)
        {
            return new OriginResponse(message, buffer, length, isComplete: false);
        }

        if (length != buffer.Length)
        {
            Array.Resize(ref buffer, length);                  // stored bodies hold exactly their bytes
        }

        return new OriginResponse(message, buffer, length, isComplete: true);
    }
}
