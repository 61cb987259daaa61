using System.Buffers;
using System.Text;
using IsrProxy.Caching.Http;

namespace IsrProxy.Caching.Connections;

internal enum PlainGetParse
{
    /// <summary>The head is not complete yet.</summary>
    Incomplete,

    /// <summary>Anything but a plain GET: ASP.NET Core's pipeline answers it.</summary>
    Other,

    /// <summary>A plain GET, parsed.</summary>
    Parsed,
}

/// <summary>A plain GET: its path (origin form, no query) and the bytes of its Accept-Encoding value.</summary>
internal readonly ref struct PlainGet(ReadOnlySpan<byte> path, ReadOnlySpan<byte> acceptEncoding, bool hasAcceptEncoding, int length)
{
    public ReadOnlySpan<byte> Path { get; } = path;

    public ReadOnlySpan<byte> AcceptEncoding { get; } = acceptEncoding;

    public bool HasAcceptEncoding { get; } = hasAcceptEncoding;

    /// <summary>Bytes of the request head, through its empty line.</summary>
    public int Length { get; } = length;
}

/// <summary>
/// Recognises the one request shape the connection hit path answers: <c>GET /path HTTP/1.1</c>, one plain Host, and
/// only header fields that cannot change a cached answer. Deliberately narrower than HTTP/1.1: whatever it does not
/// recognise byte for byte (a query, percent-encoding, dot segments, a body, a field it does not know, obs-fold, a
/// bare CR or LF, non-ASCII) is <see cref="PlainGetParse.Other"/>, and Kestrel parses the same bytes as if this parser
/// had never looked. So a request this parser accepts means to Kestrel exactly what it means here.
/// </summary>
internal sealed class PlainGetParser
{
    // Fields a cached hit does not depend on (the cache's key, classification and answer never read them), with the
    // lower-case names a client may send. Anything else, including Cookie, Authorization, conditionals, Range and every
    // field that frames a body, sends the request to the full pipeline.
    private static readonly string[] Ignorable =
    [
        "user-agent", "accept", "accept-language", "cache-control", "pragma", "referer", "dnt", "priority",
        "upgrade-insecure-requests", "sec-fetch-dest", "sec-fetch-mode", "sec-fetch-site", "sec-fetch-user",
        "sec-ch-ua", "sec-ch-ua-mobile", "sec-ch-ua-platform", "x-forwarded-for", "x-forwarded-proto",
        "x-forwarded-host", "x-real-ip", "x-request-id", "via",
    ];

    private const string Alphanumeric = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

    private static readonly SearchValues<byte> PathBytes = Bytes(Alphanumeric + "/-._~!$&'()*+,;=:@");
    private static readonly SearchValues<byte> HostNameBytes = Bytes(Alphanumeric + ".-");
    private static readonly SearchValues<byte> AddressBytes = Bytes("0123456789abcdefABCDEF:.");
    private static readonly SearchValues<byte> TokenBytes = AsciiWhere(HttpSyntax.IsTchar);
    private static readonly SearchValues<byte> FieldValueBytes = AsciiWhere(HttpSyntax.IsFieldValueChar);

    private const int StackHeadLimit = 8 * 1024;

    private readonly byte[][] _ignorable;
    private readonly int _maxHeadBytes;
    private readonly int _maxFields;

    /// <param name="maxHeadBytes">The longest head recognised (at most 8 KiB); a longer one goes to Kestrel.</param>
    /// <param name="maxFields">The most header fields recognised.</param>
    /// <param name="notIgnorable">Field names that matter to this deployment (bypass headers): never ignored.</param>
    public PlainGetParser(int maxHeadBytes, int maxFields, IEnumerable<string> notIgnorable)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxHeadBytes);
        ArgumentOutOfRangeException.ThrowIfNegative(maxFields);
        var excluded = new HashSet<string>(notIgnorable, StringComparer.OrdinalIgnoreCase);
        _ignorable = [.. Ignorable.Where(n => !excluded.Contains(n)).Select(Encoding.ASCII.GetBytes)];
        _maxHeadBytes = Math.Min(maxHeadBytes, StackHeadLimit);
        _maxFields = maxFields;
    }

    private static SearchValues<byte> Bytes(string ascii) => SearchValues.Create(Encoding.ASCII.GetBytes(ascii));

    private static SearchValues<byte> AsciiWhere(Func<char, bool> member)
        => SearchValues.Create([.. Enumerable.Range(0, 128).Where(c => member((char)c)).Select(c => (byte)c)]);

    /// <summary>The longest head this parser recognises.</summary>
    public int MaxHeadBytes => _maxHeadBytes;

    /// <summary>
    /// Parses the request at the start of <paramref name="buffer"/>. A head split across buffer segments is copied to
    /// <paramref name="scratch"/> (at least <see cref="MaxHeadBytes"/> long), and the spans returned point into it.
    /// </summary>
    public PlainGetParse Parse(in ReadOnlySequence<byte> buffer, Span<byte> scratch, out PlainGet request)
    {
        request = default;
        ReadOnlySpan<byte> data;
        if (buffer.IsSingleSegment)
        {
            data = buffer.FirstSpan;
        }
        else
        {
            var length = (int)Math.Min(buffer.Length, _maxHeadBytes);
            buffer.Slice(0, length).CopyTo(scratch);
            data = scratch[..length];
        }

        // Not a GET: decided on the first bytes, without waiting for the rest of the head.
        var prefix = "GET /"u8;
        var known = Math.Min(data.Length, prefix.Length);
        if (!data[..known].SequenceEqual(prefix[..known]))
        {
            return PlainGetParse.Other;
        }

        var window = data.Length > _maxHeadBytes ? data[.._maxHeadBytes] : data;
        var end = window.IndexOf("\r\n\r\n"u8);
        if (end < 0)
        {
            return data.Length >= _maxHeadBytes ? PlainGetParse.Other : PlainGetParse.Incomplete;
        }

        var head = window[..(end + 2)];                                  // every line with its CRLF, not the empty one
        return ParseHead(head, end + 4, out request) ? PlainGetParse.Parsed : PlainGetParse.Other;
    }

    private bool ParseHead(ReadOnlySpan<byte> head, int length, out PlainGet request)
    {
        request = default;
        var lineEnd = head.IndexOf("\r\n"u8);
        var line = head[..lineEnd];
        var suffix = " HTTP/1.1"u8;
        if (!line.EndsWith(suffix))
        {
            return false;
        }

        var path = line[4..^suffix.Length];                              // after "GET "
        if (!IsPlainPath(path))
        {
            return false;
        }

        var rest = head[(lineEnd + 2)..];
        var hosts = 0;
        var fields = 0;
        ReadOnlySpan<byte> acceptEncoding = default;
        var hasAcceptEncoding = false;
        while (!rest.IsEmpty)
        {
            lineEnd = rest.IndexOf("\r\n"u8);
            line = rest[..lineEnd];
            rest = rest[(lineEnd + 2)..];
            if (++fields > _maxFields)
            {
                return false;
            }

            var colon = line.IndexOf((byte)':');
            if (colon <= 0 || !IsToken(line[..colon]))
            {
                return false;                                            // no name, a space before the colon, obs-fold
            }

            var name = line[..colon];
            var value = line[(colon + 1)..].Trim(" \t"u8);
            if (!IsFieldValue(value))
            {
                return false;
            }

            if (Ascii.EqualsIgnoreCase(name, "host"u8))
            {
                if (++hosts > 1 || !IsPlainHost(value))
                {
                    return false;
                }
            }
            else if (Ascii.EqualsIgnoreCase(name, "accept-encoding"u8))
            {
                if (hasAcceptEncoding)
                {
                    return false;                                        // repeated: Kestrel joins them, keep it simple
                }

                hasAcceptEncoding = true;
                acceptEncoding = value;
            }
            else if (Ascii.EqualsIgnoreCase(name, "connection"u8))
            {
                if (!Ascii.EqualsIgnoreCase(value, "keep-alive"u8))
                {
                    return false;                                        // close, upgrade: Kestrel's business
                }
            }
            else if (!IsIgnorable(name))
            {
                return false;
            }
        }

        if (hosts != 1)
        {
            return false;
        }

        request = new PlainGet(path, acceptEncoding, hasAcceptEncoding, length);
        return true;
    }

    private bool IsIgnorable(ReadOnlySpan<byte> name)
    {
        foreach (var candidate in _ignorable)
        {
            if (Ascii.EqualsIgnoreCase(name, candidate))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// An absolute path of unreserved characters, sub-delimiters, ':' and '@' (RFC 3986 pchar without
    /// percent-encoding), with no dot segment and no query: Kestrel's decoded, normalised path is then these bytes.
    /// </summary>
    internal static bool IsPlainPath(ReadOnlySpan<byte> path)
        => !path.IsEmpty && path[0] == (byte)'/' && path.IndexOf("/."u8) < 0 && !path.ContainsAnyExcept(PathBytes);

    /// <summary>A name of letters, digits, '.' and '-', or a bracketed IPv6 address, then an optional ":port".</summary>
    internal static bool IsPlainHost(ReadOnlySpan<byte> host)
    {
        ReadOnlySpan<byte> rest;
        if (!host.IsEmpty && host[0] == (byte)'[')
        {
            var close = host.IndexOf((byte)']');
            if (close < 2 || host[1..close].ContainsAnyExcept(AddressBytes))
            {
                return false;
            }

            rest = host[(close + 1)..];
        }
        else
        {
            var colon = host.IndexOf((byte)':');
            var name = colon < 0 ? host : host[..colon];
            if (name.IsEmpty || name.ContainsAnyExcept(HostNameBytes))
            {
                return false;
            }

            rest = colon < 0 ? default : host[colon..];
        }

        return rest.IsEmpty || (rest[0] == (byte)':' && rest.Length is >= 2 and <= 6 && !rest[1..].ContainsAnyExceptInRange((byte)'0', (byte)'9'));
    }

    private static bool IsToken(ReadOnlySpan<byte> name) => !name.ContainsAnyExcept(TokenBytes);

    private static bool IsFieldValue(ReadOnlySpan<byte> value) => !value.ContainsAnyExcept(FieldValueBytes);
}
