using IsrProxy.Caching;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.Hosting;

internal static class IsrApplicationBuilderExtensions
{
    /// <summary>The proxy's own endpoints, then the cache in front of the origin for everything else.</summary>
    public static WebApplication UseIsrProxy(this WebApplication app)
    {
        app.UseRouting();
        app.MapGet("/healthz", () => Results.Text("ok\n"));
        app.UseMiddleware<CacheMiddleware>();
        return app;
    }
}
