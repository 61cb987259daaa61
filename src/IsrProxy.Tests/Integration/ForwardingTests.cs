using System.Net;
using System.Net.WebSockets;
using System.Text;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Integration;

/// <summary>What goes through YARP untouched by the cache: X-Forwarded-*, streamed bodies, websockets.</summary>
public sealed class ForwardingTests
{
    [Fact]
    public async Task ForwardedHeaders_AreSetByTheProxy_NotTrustedFromTheClient()
    {
        await using var origin = await OriginServer.StartAsync();
        await using var proxy = await ProxyHost.StartAsync(origin);

        using var _ = await proxy.SendAsync(
            HttpMethod.Post,
            "/form",
            ("X-Forwarded-For", "6.6.6.6"),
            ("X-Forwarded-Host", "evil.example"),
            ("X-Forwarded-Proto", "https"),
            ("Forwarded", "for=6.6.6.6"));

        var seen = origin.Requests.Single().Headers;
        Assert.Equal("127.0.0.1", seen["X-Forwarded-For"]);
        Assert.Equal(proxy.BaseAddress.Authority, seen["X-Forwarded-Host"]);
        Assert.Equal("http", seen["X-Forwarded-Proto"]);
        Assert.False(seen.ContainsKey("Forwarded"));
    }

    [Fact]
    public async Task RequestAndResponseBodies_AreStreamed()
    {
        const int size = 4 * 1024 * 1024;
        await using var origin = await OriginServer.StartAsync(o => o.Route("/upload", async (ctx, n) =>
        {
            long total = 0;
            var buffer = new byte[64 * 1024];
            int read;
            while ((read = await ctx.Request.Body.ReadAsync(buffer)) > 0)
            {
                total += read;
            }

            await ctx.Response.WriteAsync(total.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        using var content = new StreamContent(new MemoryStream(new byte[size]));
        using var response = await proxy.Client.PutAsync("/upload", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(size.ToString(System.Globalization.CultureInfo.InvariantCulture), await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task WebSockets_AreForwarded()
    {
        await using var origin = await OriginServer.StartAsync(o => o.Route("/ws", async (ctx, n) =>
        {
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            var buffer = new byte[1024];
            var received = await socket.ReceiveAsync(buffer, CancellationToken.None);
            await socket.SendAsync(buffer.AsMemory(0, received.Count), WebSocketMessageType.Text, true, CancellationToken.None);
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", CancellationToken.None);
        }));
        await using var proxy = await ProxyHost.StartAsync(origin);

        using var client = new ClientWebSocket();
        var uri = new UriBuilder(proxy.BaseAddress) { Scheme = "ws", Path = "/ws" }.Uri;
        await client.ConnectAsync(uri, CancellationToken.None);
        await client.SendAsync(Encoding.UTF8.GetBytes("ping"), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1024];
        var result = await client.ReceiveAsync(buffer, CancellationToken.None);

        Assert.Equal("ping", Encoding.UTF8.GetString(buffer, 0, result.Count));
        Assert.Equal(WebSocketState.Open, client.State);
    }
}
