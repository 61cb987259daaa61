using IsrProxy.Caching.Connections;
using IsrProxy.Configuration;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Serilog;
using Serilog.Formatting.Json;

namespace IsrProxy.Hosting;

/// <summary>Builds the IsrProxy web application; shared by Program and by tests that run the proxy for real.</summary>
internal static class IsrHost
{
    /// <summary>The command-line switch (<c>--config</c>) naming a configuration file of the user's own.</summary>
    public const string ConfigFileKey = "config";

    private const int LogBufferSize = 10_000;
    private const string InlineCompletionsVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
    private const string TextTemplate = "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";

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
        AddConfigFile(builder.Configuration, args);
        configure?.Invoke(builder.Configuration);
        if (builder.Configuration.GetValue($"{IsrOptions.Section}:Proxy:{nameof(ProxyOptions.InlineScheduling)}", true))
        {
            builder.WebHost.UseSockets(o => o.UnsafePreferInlineScheduling = true);

            // Read once by the socket engine when the first socket is used, which has not happened yet: completions
            // then run where the socket event is seen. An explicit setting in the environment wins.
            if (Environment.GetEnvironmentVariable(InlineCompletionsVariable) is null)
            {
                Environment.SetEnvironmentVariable(InlineCompletionsVariable, "1");
            }
        }

        if (builder.Configuration.GetValue($"{IsrOptions.Section}:Proxy:{nameof(ProxyOptions.ConnectionHits)}", true))
        {
            // On every endpoint, ahead of Kestrel's HTTP handler (and of TLS, whose bytes it hands over unread).
            builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(next =>
            {
                var hits = listen.ApplicationServices.GetRequiredService<ConnectionHitServer>();
                return connection => hits.OnConnectionAsync(connection, next);
            })));
        }

        if (useSerilog)
        {
            builder.Logging.ClearProviders();
            builder.Logging.AddSerilog(CreateSerilogLogger(builder.Configuration), dispose: true);
        }

        // ASP.NET Core's request-start and request-finished lines print the query string, where ?secret= may be, and
        // repeat the proxy's own request line: keep the category off. While it is enabled at any level, ASP.NET Core
        // also starts an Activity and a log scope for every request, a cost on each hit that nothing here reads.
        builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
        builder.Services.AddIsrProxy(builder.Configuration);
        return builder;
    }

    public static WebApplication Build(WebApplicationBuilder builder) => builder.Build().UseIsrProxy();

    /// <summary>
    /// Serilog from the <c>Serilog</c> section. Unless that section names sinks of its own (<c>WriteTo</c>), logs go to
    /// the console, as text or, with <c>Serilog:Json</c> true, as one JSON object per line, through a bounded buffer
    /// written by one background thread: requests never wait on the console, and when it cannot keep up, events are
    /// dropped rather than queued without bound.
    /// </summary>
    public static Serilog.ILogger CreateSerilogLogger(IConfiguration configuration)
    {
        var logger = new LoggerConfiguration().ReadFrom.Configuration(configuration);
        if (!configuration.GetSection("Serilog:WriteTo").GetChildren().Any())
        {
            var json = configuration.GetValue<bool>("Serilog:Json");
            logger = logger.WriteTo.Async(
                sink =>
                {
                    if (json)
                    {
                        sink.Console(new JsonFormatter(renderMessage: true));
                    }
                    else
                    {
                        sink.Console(outputTemplate: TextTemplate);
                    }
                },
                bufferSize: LogBufferSize,
                blockWhenFull: false);
        }

        return logger.CreateLogger();
    }

    /// <summary>
    /// <c>--config &lt;file&gt;</c>: a JSON file of the user's own, read after appsettings.json (whose defaults it
    /// overrides) and before environment variables and the command line (which override it), and reloaded on change.
    /// A relative path is taken from the working directory. A file that does not exist stops startup.
    /// </summary>
    private static void AddConfigFile(ConfigurationManager configuration, string[] args)
    {
        // From the command line only: an environment variable that happens to be called CONFIG must not count.
        if (new ConfigurationBuilder().AddCommandLine(args).Build()[ConfigFileKey] is not { Length: > 0 } file)
        {
            return;
        }

        var path = Path.GetFullPath(file, Directory.GetCurrentDirectory());
        if (!File.Exists(path))
        {
            throw new OptionsValidationException(ConfigFileKey, typeof(IsrOptions), [$"--config: the file '{path}' does not exist."]);
        }

        var sources = configuration.Sources;
        var after = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource { Path: { } name } && name.StartsWith("appsettings", StringComparison.OrdinalIgnoreCase))
            {
                after = i;
            }
        }

        sources.Insert(after + 1, new JsonConfigurationSource
        {
            FileProvider = new PhysicalFileProvider(Path.GetDirectoryName(path)!),    // a full path always has one
            Path = Path.GetFileName(path),
            Optional = false,
            ReloadOnChange = true,
        });
    }

    // appsettings.json is read from the working directory when it has one (a clone's root), else from beside the binary.
    public static string DefaultContentRoot()
        => File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "appsettings.json"))
            ? Directory.GetCurrentDirectory()
            : AppContext.BaseDirectory;
}
