using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Tests.Fixtures;

/// <summary>A real Kestrel app on 127.0.0.1 with a free port.</summary>
internal static class LoopbackApp
{
    public static WebApplicationBuilder CreateBuilder()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        return builder;
    }

    public static async Task<HttpClient> StartAsync(WebApplication app)
    {
        await app.StartAsync();
        return new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
    }
}
