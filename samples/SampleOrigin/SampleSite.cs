using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace SampleOrigin;

/// <summary>
/// A small site to put behind IsrProxy: pages that show their render time, carry <c>Cache-Tag</c> headers, take long
/// to render, or fail on demand.
/// </summary>
public static class SampleSite
{
    /// <summary>Where the site listens unless <c>--urls</c>, <c>ASPNETCORE_URLS</c> or <c>ASPNETCORE_HTTP_PORTS</c> say otherwise.</summary>
    public const string DefaultUrl = "http://localhost:3000";

    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,

            // Beside the binary, never the working directory: a clone's root holds the proxy's appsettings.json.
            ContentRootPath = AppContext.BaseDirectory,
        });
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey])
            && string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.HttpPortsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        // One line per render (from RenderCounter) rather than ASP.NET Core's several per request.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        var options = builder.Configuration.GetSection(SampleOptions.Section).Get<SampleOptions>() ?? new SampleOptions();
        if (options.Problems() is { Count: > 0 } problems)
        {
            throw new InvalidOperationException("The sample site's configuration is invalid: " + string.Join(" ", problems));
        }

        builder.Services.AddSingleton(Options.Create(options));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RenderCounter>();
        builder.Services.AddSingleton(new FailureSwitch(options.Fail));

        var app = builder.Build();
        app.MapSamplePages();
        return app;
    }
}
