using System.Collections.Concurrent;
using System.IO.Compression;
using System.Text;

// The origin every benchmark target sits in front of. Pages are deterministic, compressible HTML of a fixed size:
//   /s/{n}      20 KB          /l/{n}     200 KB        cacheable for an hour, tagged "bench"
//   /slow/{n}   20 KB after 200 ms, fresh for 1 s (STALE latency)
//   /hot/{n}    20 KB after 200 ms; /_count/hot/{n} tells how many requests reached the origin (miss collapsing)
//   /m/{n}      1 KB, cacheable (MISS overhead: every new n is a miss)
// Every page is tagged "bench" and with its own tag "{kind}-{n}" (e.g. "s-42"), so a tag purge over one entry and one
// over all of them can be compared. /_count/all tells how many pages the origin has served (a HIT measurement must
// leave it unchanged). With --compress, a client accepting br or gzip gets the body compressed (once per page, kept
// in memory).
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
var compress = args.Contains("--compress");
var counts = new ConcurrentDictionary<string, int>();
var small = Page(20 * 1024);
var large = Page(200 * 1024);
var tiny = Page(1024);
var encoded = new ConcurrentDictionary<(int, string), byte[]>();
long served = 0;

app.MapGet("/s/{n}", (HttpContext ctx, string n) => Write(ctx, small, "public, max-age=3600", "s-" + n));
app.MapGet("/l/{n}", (HttpContext ctx, string n) => Write(ctx, large, "public, max-age=3600", "l-" + n));
app.MapGet("/m/{n}", (HttpContext ctx, string n) => Write(ctx, tiny, "public, max-age=3600", "m-" + n));
app.MapGet("/slow/{n}", async (HttpContext ctx, string n) =>
{
    await Task.Delay(200);
    await Write(ctx, small, "public, max-age=1", "slow-" + n);
});
app.MapGet("/hot/{n}", async (HttpContext ctx, string n) =>
{
    counts.AddOrUpdate(n, 1, (_, c) => c + 1);
    await Task.Delay(200);
    await Write(ctx, small, "public, max-age=3600", "hot-" + n);
});
app.MapGet("/_count/hot/{n}", (string n) => counts.TryGetValue(n, out var c) ? c : 0);
app.MapGet("/_count/all", () => Interlocked.Read(ref served));
app.Run();

Task Write(HttpContext ctx, byte[] body, string cacheControl, string tag)
{
    Interlocked.Increment(ref served);
    ctx.Response.ContentType = "text/html; charset=utf-8";
    ctx.Response.Headers.CacheControl = cacheControl;
    ctx.Response.Headers["Cache-Tag"] = "bench, " + tag;
    if (compress)
    {
        ctx.Response.Headers.Vary = "Accept-Encoding";
        var accept = ctx.Request.Headers.AcceptEncoding.ToString();
        var coding = accept.Contains("br", StringComparison.Ordinal) ? "br" : accept.Contains("gzip", StringComparison.Ordinal) ? "gzip" : null;
        if (coding is not null)
        {
            body = encoded.GetOrAdd((body.Length, coding), _ => Encode(body, coding));
            ctx.Response.Headers.ContentEncoding = coding;
        }
    }

    ctx.Response.ContentLength = body.Length;
    return ctx.Response.Body.WriteAsync(body).AsTask();
}

static byte[] Encode(byte[] body, string coding)
{
    using var output = new MemoryStream();
    using (Stream stream = coding == "br"
        ? new BrotliStream(output, CompressionLevel.Optimal)
        : new GZipStream(output, CompressionLevel.Optimal))
    {
        stream.Write(body);
    }

    return output.ToArray();
}

static byte[] Page(int size)
{
    var text = new StringBuilder("<!doctype html><html><head><title>bench</title></head><body>");
    var line = 0;
    while (text.Length < size - 20)
    {
        text.Append("<p>Paragraph ").Append(line++).Append(": the quick brown fox jumps over the lazy dog.</p>\n");
    }

    text.Length = size - 14;
    return Encoding.UTF8.GetBytes(text.Append("</body></html>").ToString());
}
