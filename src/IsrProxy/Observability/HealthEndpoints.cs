using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IsrProxy.Observability;

/// <summary><c>/healthz</c> (liveness) and <c>/readyz</c> (readiness): answered by the proxy, never cached nor forwarded.</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapIsrHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapMethods("/healthz", [HttpMethods.Get, HttpMethods.Head], (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            return Results.Text("ok\n");
        });
        endpoints.MapMethods("/readyz", [HttpMethods.Get, HttpMethods.Head], async (HttpContext context) =>
        {
            context.Response.Headers.CacheControl = "no-store";
            var readiness = await context.RequestServices.GetRequiredService<ReadinessProbe>().CheckAsync(context.RequestAborted);
            return Results.Json(
                new
                {
                    status = readiness.Status,
                    store = readiness.StoreReachable ? "ok" : "unreachable",
                    origin = readiness.OriginReachable ? "ok" : "unreachable",
                    prerender = readiness.Warmed ? "done" : "running",
                },
                statusCode: readiness.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
        return endpoints;
    }
}
