using System.Globalization;
using System.Net.Security;
using System.Text;

namespace IsrProxy.Redis;

/// <summary>
/// Settings for <see cref="RedisConnection"/> and <see cref="RedisSubscriber"/>, parsed from the StackExchange.Redis
/// connection-string format: <c>host:port[,host2:port2],password=...,user=...,ssl=true,sslHost=...,defaultDatabase=0,
/// connectTimeout=5000,syncTimeout=5000,abortConnect=false,name=...,keepAlive=60</c>. Keys are case-insensitive and
/// unknown keys are rejected. Several endpoints are accepted so existing connection strings keep working, but only the
/// first one is connected to: IsrProxy talks to a single primary (or a proxy in front of a cluster).
/// Values cannot contain ',' (the separator), as in StackExchange.Redis.
/// </summary>
internal sealed class RedisConnectionOptions
{
    public static readonly TimeSpan DefaultConnectTimeout = TimeSpan.FromMilliseconds(5000);
    public static readonly TimeSpan DefaultSyncTimeout = TimeSpan.FromMilliseconds(5000);
    public static readonly TimeSpan DefaultKeepAlive = TimeSpan.FromSeconds(60);

    /// <summary>All endpoints from the connection string, in order; never empty.</summary>
    public IReadOnlyList<RedisEndPoint> EndPoints { get; set; } = [new RedisEndPoint("localhost", RedisEndPoint.DefaultPort)];

    /// <summary>The endpoint that is connected to: the first one.</summary>
    public RedisEndPoint EndPoint => EndPoints[0];

    /// <summary>ACL user name (<c>user=</c>); sent with AUTH only when a password is set too.</summary>
    public string? User { get; set; }

    public string? Password { get; set; }

    public bool Ssl { get; set; }

    /// <summary>Server name for TLS SNI and certificate validation; the endpoint's host when not set.</summary>
    public string? SslHost { get; set; }

    public int DefaultDatabase { get; set; }

    public TimeSpan ConnectTimeout { get; set; } = DefaultConnectTimeout;

    /// <summary>How long a command may wait for its reply before the caller gets <see cref="RedisTimeoutException"/>.</summary>
    public TimeSpan SyncTimeout { get; set; } = DefaultSyncTimeout;

    /// <summary>
    /// When true (the StackExchange.Redis default), connecting fails if the first attempt fails; when false, the
    /// connection is returned disconnected and keeps retrying in the background.
    /// </summary>
    public bool AbortConnect { get; set; } = true;

    /// <summary>Client name sent with CLIENT SETNAME (<c>name=</c>).</summary>
    public string? ClientName { get; set; }

    /// <summary>
    /// Idle time after which a PING is sent and TCP keep-alive probes start (<c>keepAlive=</c> seconds; -1 means the
    /// default of 60 s, 0 turns both off).
    /// </summary>
    public TimeSpan KeepAlive { get; set; } = DefaultKeepAlive;

    /// <summary>Server certificate check for TLS; the platform's default validation when null. Not in the string.</summary>
    public RemoteCertificateValidationCallback? CertificateValidation { get; set; }

    /// <summary>Commands queued or awaiting a reply beyond which new commands are refused. Not in the string.</summary>
    public int MaxInFlight { get; set; } = 100_000;

    /// <summary>First reconnect delay; it doubles per failed attempt up to <see cref="ReconnectMaxDelay"/>. Not in the string.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    public static RedisConnectionOptions Parse(string configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var options = new RedisConnectionOptions();
        var endPoints = new List<RedisEndPoint>();
        foreach (var rawPart in configuration.Split(','))
        {
            var part = rawPart.Trim();
            if (part.Length == 0)
            {
                continue;
            }

            var equals = part.IndexOf('=', StringComparison.Ordinal);
            if (equals < 0)
            {
                endPoints.Add(RedisEndPoint.Parse(part));
                continue;
            }

            var key = part[..equals].Trim();
            var value = part[(equals + 1)..].Trim();
            switch (key.ToLowerInvariant())
            {
                case "password":
                    options.Password = value.Length == 0 ? null : value;
                    break;
                case "user":
                    options.User = value.Length == 0 ? null : value;
                    break;
                case "ssl":
                    options.Ssl = ParseBoolean(key, value);
                    break;
                case "sslhost":
                    options.SslHost = value.Length == 0 ? null : value;
                    break;
                case "defaultdatabase":
                    options.DefaultDatabase = ParseInt32(key, value, 0, int.MaxValue);
                    break;
                case "connecttimeout":
                    options.ConnectTimeout = TimeSpan.FromMilliseconds(ParseInt32(key, value, 1, int.MaxValue));
                    break;
                case "synctimeout":
                    options.SyncTimeout = TimeSpan.FromMilliseconds(ParseInt32(key, value, 1, int.MaxValue));
                    break;
                case "abortconnect":
                    options.AbortConnect = ParseBoolean(key, value);
                    break;
                case "name":
                    options.ClientName = value.Length == 0 ? null : value;
                    break;
                case "keepalive":
                    var seconds = ParseInt32(key, value, -1, int.MaxValue);
                    options.KeepAlive = seconds == -1 ? DefaultKeepAlive : TimeSpan.FromSeconds(seconds);
                    break;
                default:
                    throw new FormatException($"Redis connection string: option '{key}' is not supported.");
            }
        }

        if (endPoints.Count == 0)
        {
            throw new FormatException("Redis connection string: no endpoint (host:port) is given.");
        }

        options.EndPoints = endPoints;
        return options;
    }

    /// <summary>The connection string, with the password masked so the result can be logged.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendJoin(',', EndPoints);
        Append(text, "user", User);
        if (Password is not null)
        {
            text.Append(",password=*****");
        }

        if (Ssl)
        {
            text.Append(",ssl=true");
        }

        Append(text, "sslHost", SslHost);
        if (DefaultDatabase != 0)
        {
            Append(text, "defaultDatabase", DefaultDatabase.ToString(CultureInfo.InvariantCulture));
        }

        Append(text, "connectTimeout", ((long)ConnectTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        Append(text, "syncTimeout", ((long)SyncTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture));
        Append(text, "abortConnect", AbortConnect ? "true" : "false");
        Append(text, "name", ClientName);
        Append(text, "keepAlive", ((long)KeepAlive.TotalSeconds).ToString(CultureInfo.InvariantCulture));
        return text.ToString();
    }

    private static void Append(StringBuilder text, string key, string? value)
    {
        if (value is not null)
        {
            text.Append(',').Append(key).Append('=').Append(value);
        }
    }

    private static bool ParseBoolean(string key, string value) =>
        bool.TryParse(value, out var result)
            ? result
            : throw new FormatException($"Redis connection string: option '{key}' has value '{value}'; expected true or false.");

    private static int ParseInt32(string key, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var result) && result >= min && result <= max
            ? result
            : throw new FormatException(
                $"Redis connection string: option '{key}' has value '{value}'; expected an integer from {min} to {max}.");
}
