using System.IO.Pipelines;
using System.Text;
using IsrProxy.Caching.Compression;
using IsrProxy.Caching.Connections;
using IsrProxy.Storage;
using IsrProxy.Tests.Unit.Storage;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Primitives;

namespace IsrProxy.Tests.Unit.Caching;

/// <summary>The serialized head of a hit answer, and the per-connection state of the connection hit path.</summary>
public sealed class HitHeadsTests
{
    private static CacheEntry Entry(params (string Name, StringValues Value)[] headers)
    {
        var entry = Entries.Make("/page", bodyBytes: 321);
        return new CacheEntry
        {
            Key = entry.Key,
            Path = entry.Path,
            PathAndQuery = entry.PathAndQuery,
            StatusCode = 200,
            Body = entry.Body,
            Headers = [.. headers.Select(h => new KeyValuePair<string, StringValues>(h.Name, h.Value))],
            CacheControl = "public, max-age=60",
            ETag = "\"v1\"",
            Encodings = [new EncodedBody("br", new byte[12], "\"v1-br\""), new EncodedBody("gzip", new byte[34], null)],
            RenderStartedAt = entry.RenderStartedAt,
            GeneratedAt = entry.GeneratedAt,
        };
    }

    private static string Head(CacheEntry entry, int variant)
        => Encoding.ASCII.GetString(HitHeads.Build(entry, variant));

    [Fact]
    public void Head_HasTheStoredFieldsTheCacheFieldsAndWhatKestrelAdds()
    {
        var entry = Entry(("Date", "Sat, 21 Nov 2026 10:00:00 GMT"), ("Content-Type", "text/html"), ("ETag", "\"v1\""),
            ("Link", new StringValues(["</a.css>; rel=preload", "</b.js>; rel=preload"])));

        var head = Head(entry, 0);

        Assert.StartsWith("HTTP/1.1 200 OK\r\n", head, StringComparison.Ordinal);
        Assert.EndsWith("\r\n", head, StringComparison.Ordinal);
        Assert.DoesNotContain("\r\n\r\n", head, StringComparison.Ordinal);        // Age and Cache-Status follow per answer
        string[] expected =
        [
            "Date: Sat, 21 Nov 2026 10:00:00 GMT", "Content-Type: text/html", "ETag: \"v1\"", "Link: </a.css>; rel=preload",
            "Link: </b.js>; rel=preload", "Cache-Control: public, max-age=60", "X-Isr-Cache: HIT", "Content-Length: 321",
            "Server: Kestrel",
        ];
        Assert.Equal(expected.Order(), head.Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Order());
    }

    [Fact]
    public void VariantHead_NamesItsCodingLengthAndValidator()
    {
        var entry = Entry(("Date", "Sat, 21 Nov 2026 10:00:00 GMT"), ("ETag", "\"v1\""), ("Server", "origin"));

        var br = Head(entry, 1);
        var gzip = Head(entry, 2);

        Assert.Contains("\r\nContent-Encoding: br\r\n", br, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 12\r\n", br, StringComparison.Ordinal);
        Assert.Contains("\r\nETag: \"v1-br\"\r\n", br, StringComparison.Ordinal);
        Assert.Contains("\r\nServer: origin\r\n", br, StringComparison.Ordinal);     // the stored one, as Kestrel keeps it
        Assert.DoesNotContain("Kestrel", br, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Encoding: gzip\r\n", gzip, StringComparison.Ordinal);
        Assert.Contains("\r\nContent-Length: 34\r\n", gzip, StringComparison.Ordinal);
        Assert.DoesNotContain("ETag", gzip, StringComparison.Ordinal);
    }

    [Fact]
    public void EntriesKestrelShouldAnswer_HaveNoHead()
    {
        Assert.Empty(HitHeads.Build(Entry(("Content-Type", "text/html")), 0));                              // no Date
        Assert.Empty(HitHeads.Build(Entry(("Date", "x"), ("X-Name", "caf\u00e9")), 0));
        Assert.Empty(HitHeads.Build(Entry(("Date", "x"), ("X-Name", "a\r\nSet-Cookie: b")), 0));
        Assert.Empty(HitHeads.Build(Entry(("Date", "x"), ("Bad Name", "a")), 0));
        var notFound = Entry(("Date", "x"));
        Assert.Empty(HitHeads.Build(new CacheEntry { Key = "/p", Path = "/p", PathAndQuery = "/p", StatusCode = 404, Headers = notFound.Headers }, 0));
        var originStatus = Entry(("Date", "x"));
        Assert.Empty(HitHeads.Build(new CacheEntry { Key = "/p", Path = "/p", PathAndQuery = "/p", StatusCode = 200, Headers = originStatus.Headers, OriginCacheStatus = "cdn; hit\u0001" }, 0));
    }

    [Fact]
    public void HitHeads_AreMadeOncePerVariant_AndAllAtOnceWhenTheMemoryStoreTakesTheEntry()
    {
        var entry = Entry(("Date", "x"));
        var size = entry.Size;
        Assert.False(entry.HitHeadsReady);

        new IsrProxy.Storage.Memory.MemoryCacheStore(1_000_000).Set(entry);

        Assert.True(entry.HitHeadsReady);
        Assert.Same(entry.HitHead(1), entry.HitHead(1));
        Assert.NotSame(entry.HitHead(0), entry.HitHead(1));
        Assert.Equal(HitHeads.Build(entry, 2), entry.HitHead(2));
        Assert.Equal(size, entry.Size);                                       // accounted for before they existed
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }

    /// <summary>A connection that records aborts, synchronously.</summary>
    private sealed class RecordingConnection(IDuplexPipe transport) : ConnectionContext
    {
        public int Aborts { get; private set; }

        public override string ConnectionId { get; set; } = "c1";

        public override IFeatureCollection Features { get; } = new FeatureCollection();

        public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

        public override IDuplexPipe Transport { get; set; } = transport;

        public override void Abort(ConnectionAbortedException abortReason) => Aborts++;
    }

    private static (HitConnection Connection, RecordingConnection Context, Pipe Input) NewConnection()
    {
        var input = new Pipe();
        var output = new Pipe();
        var context = new RecordingConnection(new Duplex(input.Reader, output.Writer));
        return (new HitConnection(context), context, input);
    }

    [Fact]
    public void ConnectionPastItsDeadline_IsAborted_OnlyWhileWaitingOrSending()
    {
        var (connection, context, _) = NewConnection();
        var now = Environment.TickCount64;

        connection.Busy();
        connection.AbortIfLate(now + 3_600_000);
        Assert.Equal(0, context.Aborts);

        connection.Sending(60_000);
        connection.AbortIfLate(now + 1_000);
        Assert.Equal(0, context.Aborts);
        connection.AbortIfLate(now + 3_600_000);
        Assert.Equal(1, context.Aborts);
        connection.AbortIfLate(now + 7_200_000);
        Assert.Equal(1, context.Aborts);                                      // once

        Assert.True(connection.WaitForRequest(60_000));
        connection.AbortIfLate(now + 3_600_000);
        Assert.Equal(2, context.Aborts);
    }

    [Fact]
    public async Task CloseRequest_EndsTheWaitForTheNextRequest()
    {
        var (idle, _, idleInput) = NewConnection();
        Assert.True(idle.WaitForRequest(60_000));
        var read = idleInput.Reader.ReadAsync();

        idle.RequestClose();

        Assert.True((await read).IsCanceled);
        Assert.False(idle.WaitForRequest(60_000));

        var (busy, _, busyInput) = NewConnection();
        busy.Busy();
        busy.RequestClose();
        await busyInput.Writer.WriteAsync("GET"u8.ToArray());
        Assert.False((await busyInput.Reader.ReadAsync()).IsCanceled);      // a busy connection finishes its request
        Assert.False(busy.WaitForRequest(60_000));                           // and then closes
    }

    [Fact]
    public async Task DirectSend_WritesHeadFieldsAndBody_AndLeavesTheSocketAsItWas()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        using var client = new System.Net.Sockets.TcpClient();
        await client.ConnectAsync((System.Net.IPEndPoint)listener.LocalEndpoint);
        using var server = await listener.AcceptSocketAsync();
        var (_, context, _) = NewConnection();
        var connection = new HitConnection(context, server);
        var output = new Pipe();

        var sent = connection.TrySend(new HitAnswer("HTTP/1.1 200 OK\r\n"u8.ToArray(), "7", "IsrProxy; hit", "body!"u8.ToArray()), output.Writer, out var piped);

        Assert.True(sent);
        Assert.Equal(0, piped);                                               // all of it went to the socket
        Assert.False(server.Blocking);
        connection.Release();
        Assert.True(server.Blocking);
        const string Expected = "HTTP/1.1 200 OK\r\nAge: 7\r\nCache-Status: IsrProxy; hit\r\n\r\nbody!";
        var received = new byte[Expected.Length];
        await client.GetStream().ReadExactlyAsync(received);
        Assert.Equal(Expected, Encoding.ASCII.GetString(received));
    }

    [Fact]
    public void AcceptEncoding_IsParsedPerDistinctValue()
    {
        var (connection, _, _) = NewConnection();

        Assert.Equal((true, true), connection.Acceptable("gzip, br"u8));
        Assert.Equal((true, true), connection.Acceptable("gzip, br"u8));
        Assert.Equal((false, true), connection.Acceptable("gzip"u8));
        Assert.Equal((false, false), connection.Acceptable("identity"u8));
    }
}
