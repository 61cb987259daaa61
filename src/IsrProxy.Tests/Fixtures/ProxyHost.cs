using System.Net;
using System.Text;
using IsrProxy.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace IsrProxy.Tests.Fixtures;

/// <summary>
/// IsrProxy itself, on real Kestrel at 127.0.0.1, in front of an <see cref="OriginServer"/>. Configuration comes from the
/// test (routes as JSON, other keys as pairs), never from the repository's appsettings.json.
/// </summary>
public sealed class ProxyHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string? _contentRoot;
    private Task? _stopped;

    private ProxyHost(WebApplication app, string? contentRoot, HttpClient client, TestLogSink logs)
    {
        _app = app;
        _contentRoot = contentRoot;
        Client = client;
        Logs = logs;
    }

    public HttpClient Client { get; }

    /// <summary>
    /// One rule for every path, the routes tests start with unless they say otherwise: answers are stored as the
    /// origin's headers allow, even without explicit freshness (which a path that no rule matches needs).
    /// </summary>
    public const string AllPaths = """[ { "Match": "/**" } ]""";

    public IServiceProvider Services => _app.Services;

    public Uri BaseAddress => Client.BaseAddress!;                        // always set in StartAsync

    public TestLogSink Logs { get; }

    public static Task<ProxyHost> StartAsync(
        OriginServer origin,
        string routesJson = AllPaths,
        TimeProvider? time = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        string? contentRoot = null)
        => StartAsync(origin.BaseAddress, routesJson, time, settings, services, contentRoot);

    /// <summary>The proxy in front of any origin at <paramref name="origin"/>, such as the sample site.</summary>
    public static async Task<ProxyHost> StartAsync(
        Uri origin,
        string routesJson = AllPaths,
        TimeProvider? time = null,
        IDictionary<string, string?>? settings = null,
        Action<IServiceCollection>? services = null,
        string? contentRoot = null)
    {
        // A folder of the test's own, so the repository's appsettings.json never applies; a given folder is the test's.
        var ownsContentRoot = contentRoot is null;
        contentRoot ??= Directory.CreateTempSubdirectory("isrproxy-test-").FullName;
        var logs = new TestLogSink();
        var json = $$"""{ "Isr": { "Origin": "{{origin.ToString().TrimEnd('/')}}", "Routes": {{routesJson}} } }""";
        var builder = IsrHost.CreateBuilder([], contentRoot, useSerilog: false, configure: config =>
        {
            if (ownsContentRoot)
            {
                config.AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json)));
            }

            config.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddProvider(logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        if (time is not null)
        {
            builder.Services.Replace(ServiceDescriptor.Singleton(time));
        }

        services?.Invoke(builder.Services);
        var app = IsrHost.Build(builder);
        try
        {
            await app.StartAsync();
        }
        catch (Exception ex) when (logs.Records.Any(r => r.Level >= LogLevel.Error))
        {
            var errors = logs.Records.Where(r => r.Level >= LogLevel.Error).Select(r => $"{r.Category}: {r.Message} {r.Exception}");
            throw new ProxyStartException("The proxy failed to start:\n" + string.Join("\n", errors), ex);
        }

        var client = new HttpClient(new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseProxy = false,
        })
        {
            BaseAddress = new Uri(app.Urls.Single()),
            Timeout = TimeSpan.FromSeconds(60),
        };
        return new ProxyHost(app, ownsContentRoot ? contentRoot : null, client, logs);
    }

    /// <summary>
    /// Settings for Redis mode: the store in Redis at <paramref name="connectionString"/> under <paramref name="prefix"/>,
    /// each store operation bounded as generously as the tests' other waits (a loaded machine answers late, and a test
    /// not about an outage must not see one).
    /// </summary>
    public static Dictionary<string, string?> RedisSettings(string connectionString, string prefix, IDictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Isr:Store:Kind"] = "Redis",
            ["Isr:Store:Redis"] = connectionString,
            ["Isr:Store:KeyPrefix"] = prefix,
            ["Isr:Store:TimeoutMilliseconds"] = ((long)Eventually.DefaultTimeout.TotalMilliseconds).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in more ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>Waits until this replica is subscribed to Redis and resynchronised (its L1 is in use).</summary>
    public Task WaitUntilSynchronisedAsync()
        => Eventually.TrueAsync(() => Get<Storage.Redis.RedisBackplane>().IsSynchronised, "the proxy subscribed to Redis and resynchronised");

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    /// <summary>GET <paramref name="path"/>: the X-Isr-Cache class and the body.</summary>
    public async Task<(string Cache, string Body)> FetchAsync(string path, params (string Name, string Value)[] headers)
    {
        using var response = await SendAsync(HttpMethod.Get, path, headers);
        return (CacheClassOf(response), await response.Content.ReadAsStringAsync());
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, params (string Name, string Value)[] headers)
    {
        using var request = new HttpRequestMessage(method, path);
        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return await Client.SendAsync(request);
    }

    /// <summary>POST <paramref name="pathAndQuery"/> with the purge secret, and <paramref name="json"/> as the body when given.</summary>
    public Task<HttpResponseMessage> PostWithSecretAsync(string pathAndQuery, string secret, string? json = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, pathAndQuery);
        request.Headers.TryAddWithoutValidation("X-Isr-Secret", secret);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return Client.SendAsync(request);
    }

    public static string CacheClassOf(HttpResponseMessage response)
        => response.Headers.TryGetValues("X-Isr-Cache", out var values) ? values.Single() : "(none)";

    public static string? Header(HttpResponseMessage response, string name)
        => response.Headers.TryGetValues(name, out var values) || response.Content.Headers.TryGetValues(name, out values)
            ? string.Join(", ", values)
            : null;

    /// <summary>Stops the server gracefully (requests in flight finish first) and leaves the client open to read them.</summary>
    public Task StopAsync() => _stopped ??= _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
        Client.Dispose();
        if (_contentRoot is not null)
        {
            Directory.Delete(_contentRoot, recursive: true);
        }
    }
}

/// <summary>The proxy did not start; the message carries the error logs written while it tried.</summary>
public sealed class ProxyStartException(string message, Exception inner) : Exception(message, inner);
