using System.Buffers;
using System.Globalization;
using System.Net;

namespace IsrProxy.LoadTool;

/// <summary>The HTTP client every command uses: no decompression (bytes are counted as sent), no cookies, no proxy.</summary>
internal static class BenchHttp
{
    public static HttpClient Create(int maxConnections) => new(new SocketsHttpHandler
    {
        AutomaticDecompression = DecompressionMethods.None,
        UseCookies = false,
        UseProxy = false,
        AllowAutoRedirect = false,
        MaxConnectionsPerServer = Math.Max(1, maxConnections),
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
    })
    {
        Timeout = TimeSpan.FromSeconds(30),
    };

    /// <summary>Sends one request and reads the whole body, so the timing covers the full answer.</summary>
    public static async Task<Answer> GetAsync(HttpClient client, string url, string? acceptEncoding, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        return await SendAsync(client, request, ct);
    }

    public static async Task<Answer> SendAsync(HttpClient client, HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        await using var body = await response.Content.ReadAsStreamAsync(ct);
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        long length = 0;
        try
        {
            int read;
            while ((read = await body.ReadAsync(buffer, ct)) > 0)
            {
                length += read;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var encoding = string.Join(",", response.Content.Headers.ContentEncoding);
        var cache = Header(response, "X-Isr-Cache") ?? Header(response, "X-Cache") ?? "";
        return new Answer((int)response.StatusCode, length, encoding.Length == 0 ? "identity" : encoding, cache);
    }

    /// <summary>A counter the benchmark origin serves as a bare number.</summary>
    public static async Task<long> CountAsync(HttpClient client, string url, CancellationToken ct)
    {
        var text = await client.GetStringAsync(url, ct);
        return long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var count)
            ? count
            : throw new HttpRequestException($"{url} answered '{text}', not a count.");
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}
