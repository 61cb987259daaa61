using IsrProxy.Caching;
using IsrProxy.NextJs;
using IsrProxy.Observability;
using IsrProxy.Purge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Hosting;

internal static partial class IsrApplicationBuilderExtensions
{
    /// <summary>The proxy's own endpoints, then the cache in front of the origin for everything else.</summary>
    public static WebApplication UseIsrProxy(this WebApplication app)
    {
        app.UseMiddleware<RequestLogMiddleware>();
        app.UseRouting();
        app.MapIsrHealth();
        app.MapIsrMetrics();
        app.MapNextJs();
        app.MapIsrPurge();
        app.UseMiddleware<CacheMiddleware>();
        if (!app.Services.GetRequiredService<SecretVerifier>().IsEnabled)
        {
            Log.PurgeDisabled(app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("IsrProxy.Purge"));
        }

        return app;
    }

    private static partial class Log
    {
        [LoggerMessage(EventIds.PurgeDisabled, LogLevel.Warning, "Isr:Secret is not set: the purge and admin endpoints are off (they answer 404)", EventName = "PurgeDisabled")]
        public static partial void PurgeDisabled(ILogger logger);
    }
}
