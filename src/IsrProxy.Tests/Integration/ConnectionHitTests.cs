using System.Net.Sockets;
using System.Text;
using IsrProxy.Caching.Connections;
using IsrProxy.Storage;
using IsrProxy.Tests.Fixtures;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace IsrProxy.Tests.Integration;

/// <summary>
/// Fresh hits for plain GETs answered at the connection: the pipeline's answer, byte for byte, and every other request
/// handed to Kestrel unread, on the same connection.
/// </summary>
public sealed class ConnectionHitTests
{
    private static readonly string Page = string.Concat(Enumerable.Repeat("<p>A page worth compressing.</p>\n", 300));

    private static Task<OriginServer> Origin() => OriginServer.StartAsync(o => o
        .Route("/page", (ctx, n) =>
        {
            ctx.Response.ContentType = "text/html; charset=utf-8";
            ctx.Response.Headers.ETag = "\"p1\"";
            ctx.Response.Headers.Append("Link", "</a.css>; rel=preload");
            ctx.Response.Headers.Append("Link", "</b.js>; rel=preload");
            return ctx.Response.WriteAsync(Page);
        })
        .Route("/form", async (ctx, n) =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            await ctx.Response.WriteAsync($"{ctx.Request.Method} {await reader.ReadToEndAsync()}");
        })
        .Versioned("/other"));

    private static ConnectionHitServer Hits(ProxyHost proxy) => proxy.Get<ConnectionHitServer>();

    [Fact]
    public async Task PlainGetHit_IsAnsweredAtTheConnection_WithThePipelinesAnswer()
    {
        await using var origin = await Origin();
        await using var proxy = await ProxyHost.StartAsync(origin);
        await proxy.FetchAsync("/page");
        foreach (var coding in new[] { "", "Accept-Encoding: gzip, br\r\n", "Accept-Encoding: gzip\r\n" })
        {
            var answered = Hits(proxy).Answered;
            await using var fast = await RawConnection.OpenAsync(proxy);
            await using var full = await RawConnection.OpenAsync(proxy);

            var viaConnection = await fast.GetAsync("/page", coding);
            Assert.Equal(answered + 1, Hits(proxy).Answered);
            var viaPipeline = await full.GetAsync("/page", coding + "X-Unknown: 1\r\n");    // a field the hit path leaves alone
            Assert.Equal(answered + 1, Hits(proxy).Answered);

            Assert.Equal("HTTP/1.1 200 OK", viaConnection.StatusLine);
            Assert.Equal("HIT", viaConnection.Header("X-Isr-Cache"));
            Assert.Equal(viaPipeline.StatusLine, viaConnection.StatusLine);
            Assert.Equal(viaPipeline.Fields.Order(StringComparer.Ordinal), viaConnection.Fields.Order(StringComparer.Ordinal));
            Assert.Equal(viaPipeline.Body, viaConnection.Body);
        }
    }

    [Fact]
    public async Task FastHit_IsCountedAndLogged()
    {
        await using var origin = await Origin();
        await using var proxy = await ProxyHost.StartAsync(origin);
        await proxy.FetchAsync("/page");
        await using var connection = await RawConnection.OpenAsync(proxy);

        await connection.GetAsync("/page");

        Assert.Equal(1, Hits(proxy).Answered);
        await Eventually.TrueAsync(
            () => proxy.Logs.Records.Any(r => r.Message.StartsWith("GET /page 200 HIT", StringComparison.Ordinal)),
            "the hit answered at the connection has its request line");
    }

    [Fact]
    public async Task PipelinedRequests_AreAnsweredInOrder_TheRestByKestrel()
    {
        await using var origin = await Origin();
        await using var proxy = await ProxyHost.StartAsync(origin);
        await proxy.FetchAsync("/page");
        await using var connection = await RawConnection.OpenAsync(proxy);

        await connection.SendAsync(
            "GET /page HTTP/1.1\r\nHost: a\r\n\r\n" +
            "POST /form HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nabc" +
            "GET /page HTTP/1.1\r\nHost: a\r\n\r\n");
        var first = await connection.ReadResponseAsync();
        var second = await connection.ReadResponseAsync();
        var third = await connection.ReadResponseAsync();

        Assert.Equal("HIT", first.Header("X-Isr-Cache"));
        Assert.Equal("POST abc", Encoding.UTF8.GetString(second.Body));
        Assert.Equal("BYPASS", second.Header("X-Isr-Cache"));
        Assert.Equal("HIT", third.Header("X-Isr-Cache"));
        Assert.Equal(first.Body, third.Body);
        Assert.Equal(1, Hits(proxy).Answered);                                 // the connection was Kestrel's from the POST on
    }

    [Fact]
    public async Task Miss_IsHandedToKestrel_AndTheConnectionStaysUsable()
    {
        await using var origin = await Origin();
        await using var proxy = await ProxyHost.StartAsync(origin);
        await proxy.FetchAsync("/page");
        await using var connection = await RawConnection.OpenAsync(proxy);

        var hit = await connection.GetAsync("/page");
        var miss = await connection.GetAsync("/other");
        var again = await connection.GetAsync("/other");

        Assert.Equal("HIT", hit.Header("X-Isr-Cache"));
        Assert.Equal("MISS", miss.Header("X-Isr-Cache"));
        Assert.Equal("/other v1", Encoding.UTF8.GetString(miss.Body));
        Assert.Equal("HIT", again.Header("X-Isr-Cache"));
        Assert.Equal(1, Hits(proxy).Answered);
    }

    [Fact]
    public async Task HeadArrivingInPieces_IsHandedToKestrel()
    {
        await using var origin = await Origin();
        await using var proxy = await ProxyHost.StartAsync(origin);
        await proxy.FetchAsync("/page");
        await using var connection = await RawConnection.OpenAsync(proxy);
        await Eventually.TrueAsync(() => Hits(proxy).Connections == 1, "the connection waits for its first request");

        await connection.SendAsync("GET /page HTTP/1.1\r\nHo");
        await Eventually.TrueAsync(() => Hits(proxy).Connections == 0, "the first piece was read and the connection handed over");
        await connection.SendAsync("st: a\r\n\r\n");
        var response = await connection.ReadResponseAsync();

        Assert.Equal("HIT", response.Header("X-Isr-Cache"));
        Assert.Equal(Page, Encoding.UTF8.GetString(response.Body));
        Assert.Equal(0, Hits(proxy).Answered);                                 // Kestrel's pipeline answered it
    }

    [Fact]
    public async Task EntryUnderAnEndpointOfTheProxy_IsNeverAnsweredFromTheCache()
    {
        await using var origin = await Origin();
        await using var proxy = await ProxyHost.StartAsync(origin);
        var store = proxy.Get<ICacheStore>();
        await store.SetAsync(Seeded("/healthz"), CancellationToken.None);
        await store.SetAsync(Seeded("/_isr/stats"), CancellationToken.None);
        await store.SetAsync(Seeded("/seeded"), CancellationToken.None);
        await using var connection = await RawConnection.OpenAsync(proxy);

        var seeded = await connection.GetAsync("/seeded");
        var health = await connection.GetAsync("/HEALTHZ");
        await using var another = await RawConnection.OpenAsync(proxy);
        var stats = await another.GetAsync("/_isr/stats");

        Assert.Equal("seeded", Encoding.UTF8.GetString(seeded.Body));           // a seeded entry is served from the connection
        Assert.Equal(1, Hits(proxy).Answered);
        Assert.NotEqual("seeded", Encoding.UTF8.GetString(health.Body));
        Assert.Null(health.Header("X-Isr-Cache"));
        Assert.Equal("HTTP/1.1 404 Not Found", stats.StatusLine);              // no secret configured: the admin API is off
        Assert.Equal(1, Hits(proxy).Answered);
    }

    [Theory]
    [InlineData("off")]
    [InlineData("no Server header")]
    [InlineData("host filtering")]
    public async Task WhereTheConnectionCannotAnswerAsThePipelineWould_ThePipelineAnswersEveryHit(string configuration)
    {
        await using var origin = await Origin();
        var settings = new Dictionary<string, string?>();
        if (configuration == "off")
        {
            settings["Isr:Proxy:ConnectionHits"] = "false";
        }
        else if (configuration == "host filtering")
        {
            settings["AllowedHosts"] = "localhost;127.0.0.1";
        }

        await using var proxy = await ProxyHost.StartAsync(origin, settings: settings, services: s =>
            s.Configure<KestrelServerOptions>(k => k.AddServerHeader = configuration != "no Server header"));
        await proxy.FetchAsync("/page");
        await using var connection = await RawConnection.OpenAsync(proxy);

        var hit = await connection.GetAsync("/page");

        Assert.Equal("HIT", hit.Header("X-Isr-Cache"));
        Assert.Equal(0, Hits(proxy).Answered);
    }

    [Fact]
    public async Task IdleConnection_IsClosedAfterKestrelsKeepAliveTimeout()
    {
        await using var origin = await Origin();
        await using var proxy = await ProxyHost.StartAsync(origin, services: s =>
            s.Configure<KestrelServerOptions>(k => k.Limits.KeepAliveTimeout = TimeSpan.FromSeconds(1)));
        await proxy.FetchAsync("/page");
        await using var connection = await RawConnection.OpenAsync(proxy);
        await connection.GetAsync("/page");
        Assert.Equal(1, Hits(proxy).Answered);
        Assert.Equal(1, Hits(proxy).Connections);

        Assert.True(await Eventually.WithinAsync(connection.IsClosedByServerAsync(), "the idle connection to be closed"));
        await Eventually.TrueAsync(() => Hits(proxy).Connections == 0, "the connection left the watch");
    }

    [Fact]
    public async Task Shutdown_ClosesIdleConnections_WithoutWaitingForTheTimeout()
    {
        await using var origin = await Origin();
        var proxy = await ProxyHost.StartAsync(origin, settings: new Dictionary<string, string?> { ["Isr:Regeneration:ShutdownTimeoutSeconds"] = "120" });
        await using var _ = proxy;
        await proxy.FetchAsync("/page");
        await using var connection = await RawConnection.OpenAsync(proxy);
        await connection.GetAsync("/page");
        Assert.Equal(1, Hits(proxy).Answered);

        await Eventually.WithinAsync(proxy.StopAsync(), "the server to stop with an idle hit connection open");   // not 125 s
        Assert.True(await Eventually.WithinAsync(connection.IsClosedByServerAsync(), "the connection to be closed"));
    }

    [Fact]
    public async Task AnswerTheKernelCannotTakeAtOnce_IsFinishedThroughThePipe_AndLaterAnswersFollowInOrder()
    {
        var large = RandomBytes(6 * 1024 * 1024);
        await using var origin = await LargePageOrigin(large);
        await using var proxy = await ProxyWithLargePage(origin, large);

        await using var connection = await RawConnection.OpenAsync(proxy);
        await connection.SendAsync("GET /large HTTP/1.1\r\nHost: a\r\n\r\nGET /large HTTP/1.1\r\nHost: a\r\n\r\n");
        await Eventually.TrueAsync(() => Hits(proxy).WaitingForClient == 1, "the kernel's buffers are full and an answer waits in the pipe");
        var first = await connection.ReadResponseAsync();
        var second = await connection.ReadResponseAsync();
        var third = await connection.GetAsync("/large");

        Assert.Equal(large, first.Body);
        Assert.Equal(large, second.Body);
        Assert.Equal(large, third.Body);
        Assert.Equal(3, Hits(proxy).Answered);
    }

    [Fact]
    public async Task ClientPipeliningWithoutReading_GetsOneAnswerBufferedAtATime()
    {
        var large = RandomBytes(4 * 1024 * 1024);
        await using var origin = await LargePageOrigin(large);
        await using var proxy = await ProxyWithLargePage(origin, large);

        const int Requests = 30;
        await using var connection = await RawConnection.OpenAsync(proxy);
        await connection.SendAsync(string.Concat(Enumerable.Repeat("GET /large HTTP/1.1\r\nHost: a\r\n\r\n", Requests)));
        await Eventually.TrueAsync(() => Hits(proxy).WaitingForClient == 1, "an answer waits in the pipe for the client to read");

        // The socket buffers hold a few answers at most, the pipe one more; the rest wait for the client to read.
        Assert.InRange(Hits(proxy).Answered, 1, 10);
        for (var i = 0; i < Requests; i++)
        {
            Assert.Equal(large, (await connection.ReadResponseAsync()).Body);
        }

        Assert.Equal(Requests, Hits(proxy).Answered);
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(length).NextBytes(bytes);
        return bytes;
    }

    private static Task<OriginServer> LargePageOrigin(byte[] large) => OriginServer.StartAsync(o => o.Route("/large", (ctx, n) =>
    {
        ctx.Response.ContentType = "application/octet-stream";                 // stored as is, no compressed variant
        return ctx.Response.Body.WriteAsync(large).AsTask();
    }));

    /// <summary>The proxy, with /large cached.</summary>
    private static async Task<ProxyHost> ProxyWithLargePage(OriginServer origin, byte[] large)
    {
        var proxy = await ProxyHost.StartAsync(origin);
        using var fill = await proxy.SendAsync(HttpMethod.Get, "/large");
        Assert.Equal(large, await fill.Content.ReadAsByteArrayAsync());
        return proxy;
    }

    private static CacheEntry Seeded(string path)
    {
        var now = DateTimeOffset.UtcNow;
        return new CacheEntry
        {
            Key = path,
            Path = path,
            PathAndQuery = path,
            StatusCode = 200,
            Headers = [new("Date", now.ToString("R")), new("Content-Type", "text/plain")],
            Body = "seeded"u8.ToArray(),
            RenderStartedAt = now,
            GeneratedAt = now,
            RevalidateAt = now.AddHours(1),
            MaxStale = TimeSpan.FromDays(1),
            ClockKeys = ClockKeys.For(path, []),
        };
    }

    /// <summary>An HTTP/1.1 response as read off the wire.</summary>
    private sealed record RawResponse(string StatusLine, IReadOnlyList<string> Fields, byte[] Body)
    {
        public string? Header(string name)
            => Fields.Where(f => f.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase)).Select(f => f[(name.Length + 1)..].Trim()).FirstOrDefault();
    }

    /// <summary>A client connection that writes requests as given and reads responses framed by Content-Length.</summary>
    private sealed class RawConnection : IAsyncDisposable
    {
        private readonly TcpClient _client;
        private readonly NetworkStream _stream;
        private readonly List<byte> _buffered = [];

        private RawConnection(TcpClient client)
        {
            _client = client;
            _stream = client.GetStream();
        }

        public static async Task<RawConnection> OpenAsync(ProxyHost proxy)
        {
            var client = new TcpClient();
            await client.ConnectAsync(proxy.BaseAddress.Host, proxy.BaseAddress.Port);
            return new RawConnection(client);
        }

        public async Task<RawResponse> GetAsync(string path, string fields = "")
        {
            await SendAsync($"GET {path} HTTP/1.1\r\nHost: localhost\r\n{fields}\r\n");
            return await ReadResponseAsync();
        }

        public async Task SendAsync(string text)
        {
            await _stream.WriteAsync(Encoding.ASCII.GetBytes(text));
            await _stream.FlushAsync();
        }

        public async Task<RawResponse> ReadResponseAsync()
        {
            int end;
            while ((end = IndexOfEmptyLine()) < 0)
            {
                await FillAsync();
            }

            var lines = Encoding.ASCII.GetString([.. _buffered.Take(end)]).Split("\r\n");
            _buffered.RemoveRange(0, end + 4);
            var fields = lines.Skip(1).ToList();
            var response = new RawResponse(lines[0], fields, []);
            if (string.Equals(response.Header("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
            {
                var body = new List<byte>();
                while (true)
                {
                    var size = Convert.ToInt32(await ReadLineAsync(), 16);
                    body.AddRange(await TakeAsync(size));
                    await ReadLineAsync();
                    if (size == 0)
                    {
                        return response with { Body = [.. body] };
                    }
                }
            }

            return response with { Body = await TakeAsync(int.Parse(response.Header("Content-Length") ?? "0")) };
        }

        private async Task<byte[]> TakeAsync(int length)
        {
            while (_buffered.Count < length)
            {
                await FillAsync();
            }

            var bytes = _buffered.Take(length).ToArray();
            _buffered.RemoveRange(0, length);
            return bytes;
        }

        private async Task<string> ReadLineAsync()
        {
            int end;
            while ((end = _buffered.IndexOf((byte)'\n')) < 0)
            {
                await FillAsync();
            }

            var line = Encoding.ASCII.GetString([.. _buffered.Take(end)]).TrimEnd('\r');
            _buffered.RemoveRange(0, end + 1);
            return line;
        }

        /// <summary>True when the server closes the connection (the read ends) without sending anything more.</summary>
        public async Task<bool> IsClosedByServerAsync()
        {
            var buffer = new byte[1];
            try
            {
                return await _stream.ReadAsync(buffer) == 0 && _buffered.Count == 0;
            }
            catch (IOException)
            {
                return true;                                                  // reset
            }
        }

        public ValueTask DisposeAsync()
        {
            _client.Dispose();
            return ValueTask.CompletedTask;
        }

        private int IndexOfEmptyLine()
        {
            for (var i = 0; i + 3 < _buffered.Count; i++)
            {
                if (_buffered[i] == '\r' && _buffered[i + 1] == '\n' && _buffered[i + 2] == '\r' && _buffered[i + 3] == '\n')
                {
                    return i;
                }
            }

            return -1;
        }

        private async Task FillAsync()
        {
            var buffer = new byte[16 * 1024];
            var read = await _stream.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(30));
            if (read == 0)
            {
                throw new IOException("The server closed the connection mid-response.");
            }

            _buffered.AddRange(buffer.AsSpan(0, read));
        }
    }
}
