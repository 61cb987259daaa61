using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Tests.Fixtures;

/// <summary>
/// A real Kestrel origin on 127.0.0.1 with scripted paths. It counts requests per path; by default a path answers
/// "{path} v{n}" where n is the request's number for that path, so a test can tell renders apart.
/// </summary>
public sealed class OriginServer : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Func<HttpContext, int, Task>> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<HttpRequestSnapshot> _requests = new();
    private WebApplication? _app;

    public Uri BaseAddress { get; private set; } = null!;                 // set by StartAsync before anyone reads it

    public IReadOnlyCollection<HttpRequestSnapshot> Requests => _requests;

    public static Task<OriginServer> StartAsync(Action<OriginServer>? configure = null) => StartAsync(0, configure);

    /// <summary>Starts on <paramref name="port"/> (0: any free port), e.g. to bring an origin back where it was.</summary>
    public static async Task<OriginServer> StartAsync(int port, Action<OriginServer>? configure = null)
    {
        var server = new OriginServer();
        configure?.Invoke(server);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        app.UseWebSockets();
        app.Run(server.HandleAsync);
        await app.StartAsync();
        server._app = app;
        server.BaseAddress = new Uri(app.Urls.Single());
        return server;
    }

    /// <summary>Answers <paramref name="path"/> with <paramref name="handler"/>(context, request number).</summary>
    public OriginServer Route(string path, Func<HttpContext, int, Task> handler)
    {
        _routes[path] = handler;
        return this;
    }

    /// <summary>Answers "{path} v{n}" with the given headers.</summary>
    public OriginServer Versioned(string path, params (string Name, string Value)[] headers)
        => Route(path, (ctx, n) =>
        {
            foreach (var (name, value) in headers)
            {
                ctx.Response.Headers.Append(name, value);
            }

            ctx.Response.ContentType = "text/plain";
            return ctx.Response.WriteAsync($"{path} v{n}");
        });

    public int Count(string path) => _counts.TryGetValue(path, out var n) ? n : 0;

    public int TotalCount => _counts.Values.Sum();

    private Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var n = _counts.AddOrUpdate(path, 1, (_, c) => c + 1);
        _requests.Enqueue(new HttpRequestSnapshot(
            context.Request.Method,
            path + context.Request.QueryString,
            context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
        if (_routes.TryGetValue(path, out var handler))
        {
            return handler(context, n);
        }

        context.Response.ContentType = "text/plain";
        return context.Response.WriteAsync($"{path} v{n}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}

public sealed record HttpRequestSnapshot(string Method, string PathAndQuery, IReadOnlyDictionary<string, string> Headers);
