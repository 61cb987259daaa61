using System.Globalization;
using System.Text;
using IsrProxy.Redis;
using IsrProxy.Tests.Fixtures;
using Xunit.Abstractions;

namespace IsrProxy.Tests.Integration.RedisMode;

/// <summary>
/// What one cached page costs in Redis, measured: a proxy fills a Redis of its own with HTML pages of one size, and the
/// growth of <c>used_memory</c> over the pages is the figure README's sizing guide quotes. Each page is stored as the
/// proxy stores it (the body, its brotli and gzip variants, headers, the path's index sets and listing members).
/// </summary>
[Collection(RedisCollection.Name)]
public sealed class RedisEntrySizeTests(RedisServerFixture redis, ITestOutputHelper output)
{
    private const int Pages = 500;

    private static readonly string[] Words =
    [
        "the", "cache", "page", "render", "origin", "proxy", "stale", "fresh", "revalidate", "article", "section", "header",
        "footer", "nav", "class", "div", "span", "link", "href", "button", "image", "title", "content", "post", "author",
        "date", "comment", "share", "read", "more", "about", "contact", "blog", "product", "price", "cart", "search", "menu",
    ];

    [Theory]
    [InlineData(2 * 1024)]
    [InlineData(8 * 1024)]
    [InlineData(32 * 1024)]
    public async Task BytesPerPage_AreTheBodyItsCompressedVariantsAndASmallOverhead(int htmlBytes)
    {
        await using var server = await redis.StartServerAsync();
        await using var raw = await RedisServerFixture.ConnectAsync(server.ConnectionString);
        await using var origin = await OriginServer.StartAsync(o =>
        {
            for (var i = 0; i < Pages; i++)
            {
                var body = Html(htmlBytes, i);
                o.Route($"/articles/{i}", (ctx, n) =>
                {
                    ctx.Response.ContentType = "text/html; charset=utf-8";
                    ctx.Response.Headers.CacheControl = "s-maxage=60, stale-while-revalidate=86400";
                    ctx.Response.Headers.ETag = $"\"{i:x8}\"";
                    return ctx.Response.WriteAsync(body);
                });
            }
        });
        await using var proxy = await ProxyHost.StartAsync(origin, settings: ProxyHost.RedisSettings(server.ConnectionString, "isr:"));
        await proxy.WaitUntilSynchronisedAsync();
        await proxy.FetchAsync("/articles/0");                               // the first write creates the shared keys
        var before = await UsedMemoryAsync(raw);

        for (var i = 1; i < Pages; i++)
        {
            Assert.Equal("MISS", (await proxy.FetchAsync($"/articles/{i}")).Cache);
        }

        var perPage = (await UsedMemoryAsync(raw) - before) / (Pages - 1);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{htmlBytes} bytes of HTML: {perPage} bytes per page in Redis"));
        Assert.InRange(perPage, htmlBytes / 2, (3 * htmlBytes) + 8192);
    }

    private static async Task<long> UsedMemoryAsync(RedisConnection connection)
    {
        var info = (await connection.ExecuteAsync(new RedisCommand("INFO", "memory"), default)).AsString() ?? string.Empty;
        var line = info.Split("\r\n").Single(l => l.StartsWith("used_memory:", StringComparison.Ordinal));
        return long.Parse(line["used_memory:".Length..], CultureInfo.InvariantCulture);
    }

    // Markup of words drawn at random: compresses about as well as a real page's HTML.
    private static string Html(int bytes, int seed)
    {
        var random = new Random(seed);
        var html = new StringBuilder(bytes + 64).Append("<!doctype html><html><body>");
        while (html.Length < bytes - 20)
        {
            html.Append("<p class=\"").Append(Words[random.Next(Words.Length)]).Append("\">");
            for (var w = random.Next(5, 20); w > 0; w--)
            {
                html.Append(Words[random.Next(Words.Length)]).Append(' ').Append(random.Next(1000)).Append(' ');
            }

            html.Append("</p>\n");
        }

        return html.Append("</body></html>").ToString();
    }
}
