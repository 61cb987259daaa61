using System.IO.Compression;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.Tests.Fixtures;

/// <summary>
/// One page as <c>next start</c> serves it from its own ISR cache: answers carry <c>x-nextjs-cache</c> and
/// <c>Cache-Control: s-maxage=N, stale-while-revalidate=M</c> and Next's Vary; a request carrying the build's
/// <c>x-prerender-revalidate</c> renders at once and answers REVALIDATED, privately, as Next does for on-demand
/// revalidation. <see cref="MarkStale"/> makes the next answer STALE (the old render) while Next renders the new one.
/// Bodies are gzip-compressed for clients that accept it, as Next's compression does.
/// </summary>
public sealed class FakeNextPage(string path, string previewModeId, int sMaxAge = 300, int bodyPadding = 0)
{
    public const string NextVary = "rsc, next-router-state-tree, next-router-prefetch, next-router-segment-prefetch";

    private readonly Lock _lock = new();
    private int _version = 1;
    private int _staleAnswers;

    /// <summary>Renders made (the first included).</summary>
    public int Renders
    {
        get
        {
            lock (_lock)
            {
                return _version;
            }
        }
    }

    /// <summary>Requests that carried the right <c>x-prerender-revalidate</c>.</summary>
    public int OnDemandRenders { get; private set; }

    /// <summary>The next <paramref name="answers"/> answers are STALE; each one renders the page anew behind it.</summary>
    public void MarkStale(int answers = 1)
    {
        lock (_lock)
        {
            _staleAnswers = answers;
        }
    }

    public string Body(int version) => $"{path} render {version}" + new string('.', bodyPadding);

    public Task HandleAsync(HttpContext context)
    {
        string cache;
        int version;
        lock (_lock)
        {
            if (context.Request.Headers["x-prerender-revalidate"] == previewModeId)
            {
                OnDemandRenders++;
                version = ++_version;
                cache = "REVALIDATED";
            }
            else if (_staleAnswers > 0)
            {
                _staleAnswers--;
                version = _version++;                 // the old render now; the new one is ready for the next request
                cache = "STALE";
            }
            else
            {
                version = _version;
                cache = "HIT";
            }
        }

        var response = context.Response;
        response.Headers["x-nextjs-cache"] = cache;
        response.Headers.CacheControl = cache == "REVALIDATED"
            ? "private, no-cache, no-store, max-age=0, must-revalidate"
            : $"s-maxage={sMaxAge}, stale-while-revalidate=31535700";
        response.Headers.Vary = NextVary + ", Accept-Encoding";
        response.ContentType = "text/html; charset=utf-8";
        return WriteAsync(context, Body(version));
    }

    /// <summary>Writes <paramref name="text"/>, gzip-compressed when the request accepts gzip (as Next does).</summary>
    public static async Task WriteAsync(HttpContext context, string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        if (context.Request.Headers.AcceptEncoding.ToString().Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            using var compressed = new MemoryStream();
            await using (var gzip = new GZipStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
            {
                await gzip.WriteAsync(bytes);
            }

            bytes = compressed.ToArray();
            context.Response.Headers.ContentEncoding = "gzip";
        }

        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes);
    }
}
