using IsrProxy.Redis;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IsrProxy.Tests.Fixtures;

/// <summary>
/// The Redis server of the integration tests: the one named by REDIS_URL (a StackExchange.Redis-style connection
/// string) if set, else a redis-server started here on a free loopback port. Tests that crash, restart or configure a
/// server (AUTH, TLS) start their own with <see cref="StartServerAsync"/>, which always needs the redis-server binary.
/// Missing both fails every test with instructions; nothing is skipped.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    public const string UrlVariable = "REDIS_URL";

    private static readonly string[] Candidates = ["/usr/bin/redis-server", "/usr/local/bin/redis-server"];

    private RedisServerProcess? _server;

    /// <summary>Connection string of the shared server.</summary>
    public string ConnectionString { get; private set; } = string.Empty;

    public async Task InitializeAsync()
    {
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (!string.IsNullOrWhiteSpace(url))
        {
            ConnectionString = url;
            return;
        }

        _server = await StartServerAsync();
        ConnectionString = _server.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    /// <summary>Starts a private redis-server with extra arguments (e.g. "--requirepass", "secret").</summary>
    public Task<RedisServerProcess> StartServerAsync(params string[] extraArgs) =>
        RedisServerProcess.StartAsync(FindExecutable(), extraArgs);

    public Task<RedisServerProcess> StartServerAsync(int port, bool tls, params string[] extraArgs) =>
        RedisServerProcess.StartAsync(FindExecutable(), extraArgs, tls, port);

    /// <summary>A key prefix no other test uses.</summary>
    public static string UniquePrefix() => $"test:{Guid.NewGuid():N}:";

    /// <summary>Connects to the shared server, with extra connection-string options appended.</summary>
    internal Task<RedisConnection> ConnectAsync(string extraOptions = "", ILogger? logger = null) =>
        ConnectAsync(ConnectionString, extraOptions, logger);

    internal static Task<RedisConnection> ConnectAsync(string connectionString, string extraOptions = "", ILogger? logger = null) =>
        RedisConnection.ConnectAsync(Options(connectionString, extraOptions), logger ?? NullLogger.Instance, TimeProvider.System, CancellationToken.None);

    /// <summary>
    /// The options of a test's client: <paramref name="connectionString"/> with connect and reply timeouts as generous as
    /// every other wait of the tests (a loaded machine is slow, not broken), then <paramref name="extraOptions"/>, which
    /// win: a test about a timeout sets its own.
    /// </summary>
    internal static RedisConnectionOptions Options(string connectionString, string extraOptions = "")
    {
        var patient = (long)Eventually.DefaultTimeout.TotalMilliseconds;
        var timeouts = $"connectTimeout={patient},syncTimeout={patient}";
        return RedisConnectionOptions.Parse(
            extraOptions.Length == 0 ? $"{connectionString},{timeouts}" : $"{connectionString},{timeouts},{extraOptions}");
    }

    public static string FindExecutable()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(directory, "redis-server");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return Candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                "The Redis integration tests need a Redis server: redis-server was not found on PATH or in /usr/bin or "
                + "/usr/local/bin. Install the Debian package (apt-get install -y redis-server; the tests start their own "
                + $"instance, no service is needed), or set {UrlVariable} to a connection string such as 127.0.0.1:6379 "
                + "(tests that kill, restart or configure a server still need the redis-server binary).");
    }
}
