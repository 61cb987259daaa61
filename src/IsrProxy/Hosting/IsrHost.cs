using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Serilog;

namespace IsrProxy.Hosting;

/// <summary>Builds the IsrProxy web application; shared by Program and by tests that run the proxy for real.</summary>
internal static class IsrHost
{
    public static WebApplicationBuilder CreateBuilder(
        string[] args,
        string? contentRoot = null,
        bool useSerilog = true,
        Action<IConfigurationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = contentRoot ?? DefaultContentRoot(),
        });
        configure?.Invoke(builder.Configuration);
        if (useSerilog)
        {
            var logger = new LoggerConfiguration().ReadFrom.Configuration(builder.Configuration).CreateLogger();
            builder.Logging.ClearProviders();
            builder.Logging.AddSerilog(logger, dispose: true);
        }

        // ASP.NET Core's request-start lines print the query string, where ?secret= may be: keep them off.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.Warning);
        builder.Services.AddIsrProxy(builder.Configuration);
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder) => builder.Build().UseIsrProxy();

    // appsettings.json is read from the working directory when it has one (a clone's root), else from beside the binary.
    private static string DefaultContentRoot()
        => File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"))
            ? Directory.GetCurrentDirectory()
            : AppContext.BaseDirectory;
}
