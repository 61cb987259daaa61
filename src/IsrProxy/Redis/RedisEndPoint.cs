using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IsrProxy.Redis;

/// <summary>A server address as written in the connection string: a host name or IP literal, and a port.</summary>
internal readonly record struct RedisEndPoint(string Host, int Port)
{
    public const int DefaultPort = 6379;

    /// <summary>Parses <c>host</c>, <c>host:port</c>, <c>1.2.3.4:port</c>, <c>[::1]:port</c>, <c>[::1]</c> or <c>::1</c>.</summary>
    public static RedisEndPoint Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var value = text.Trim();
        if (value.Length == 0)
        {
            throw new FormatException("Redis connection string: an endpoint is empty.");
        }

        string host;
        string? port = null;
        if (value[0] == '[')
        {
            var close = value.IndexOf(']', StringComparison.Ordinal);
            if (close < 0)
            {
                throw new FormatException($"Redis connection string: endpoint '{value}' has '[' without a closing ']'.");
            }

            host = value[1..close];
            var rest = value[(close + 1)..];
            if (rest.Length > 0)
            {
                if (rest[0] != ':')
                {
                    throw new FormatException($"Redis connection string: endpoint '{value}' has '{rest}' after ']'; expected ':port'.");
                }

                port = rest[1..];
            }

            if (!IPAddress.TryParse(host, out var address) || address.AddressFamily != AddressFamily.InterNetworkV6)
            {
                throw new FormatException($"Redis connection string: endpoint '{value}' does not hold an IPv6 address in brackets.");
            }
        }
        else if (value.IndexOf(':', StringComparison.Ordinal) != value.LastIndexOf(':'))
        {
            // Several colons and no brackets: only a bare IPv6 address (no port) is unambiguous.
            if (!IPAddress.TryParse(value, out _))
            {
                throw new FormatException($"Redis connection string: endpoint '{value}' is not host:port; write IPv6 addresses as [address]:port.");
            }

            host = value;
        }
        else
        {
            var colon = value.IndexOf(':', StringComparison.Ordinal);
            host = colon < 0 ? value : value[..colon];
            port = colon < 0 ? null : value[(colon + 1)..];
        }

        if (host.Length == 0)
        {
            throw new FormatException($"Redis connection string: endpoint '{value}' has no host.");
        }

        if (host.Any(c => char.IsWhiteSpace(c) || c is '=' or ','))
        {
            throw new FormatException($"Redis connection string: endpoint '{value}' has an invalid host '{host}'.");
        }

        var portNumber = DefaultPort;
        if (port is not null
            && (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out portNumber) || portNumber is < 1 or > 65535))
        {
            throw new FormatException($"Redis connection string: endpoint '{value}' has port '{port}'; expected 1..65535.");
        }

        return new RedisEndPoint(host, portNumber);
    }

    public override string ToString() => Host.Contains(':', StringComparison.Ordinal)
        ? string.Create(CultureInfo.InvariantCulture, $"[{Host}]:{Port}")
        : string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}
