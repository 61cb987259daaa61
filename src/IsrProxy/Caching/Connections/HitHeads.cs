using System.Buffers;
using System.Text;
using IsrProxy.Caching.Http;
using IsrProxy.Storage;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.Caching.Connections;

/// <summary>
/// The head of an entry's fresh-hit answer as HTTP/1.1 bytes, up to the two fields that change with time (Age and
/// Cache-Status, written per answer). Made from the same fields <see cref="CachedResponse"/> gives Kestrel, with what
/// Kestrel adds itself (Server), so both paths send the same answer.
/// </summary>
internal static class HitHeads
{
    private const string KestrelServer = "Kestrel";

    private static readonly SearchValues<char> FieldValueChars =
        SearchValues.Create([.. Enumerable.Range(0, 128).Select(c => (char)c).Where(HttpSyntax.IsFieldValueChar)]);

    /// <summary>
    /// The head for <paramref name="entry"/>'s <paramref name="variant"/> (0: identity, i + 1: Encodings[i]), or an
    /// empty array when only Kestrel should send it: not a 200, no stored Date, or a field Kestrel would reject. The
    /// head names Kestrel as the Server when the entry names none, as Kestrel does by default
    /// (<see cref="ConnectionHitServer"/> stays off when Kestrel is told not to).
    /// </summary>
    public static byte[] Build(CacheEntry entry, int variant)
    {
        if (entry.StatusCode != StatusCodes.Status200OK || entry.IsMarker || !IsFieldValue(entry.OriginCacheStatus ?? ""))
        {
            return [];
        }

        var encoded = variant == 0 ? null : entry.Encodings[variant - 1];
        var headers = new HeaderDictionary();
        CachedResponse.WriteStoredFields(headers, entry, encoded, entry.CacheControl, CacheClass.Hit);
        headers.ContentLength = (encoded?.Body ?? entry.Body).Length;
        if (!headers.ContainsKey("Date"))
        {
            return [];                                                   // Kestrel would add the current date
        }

        if (!headers.ContainsKey("Server"))
        {
            headers["Server"] = KestrelServer;
        }

        var text = new StringBuilder("HTTP/1.1 200 OK\r\n");
        foreach (var (name, values) in headers)
        {
            if (!HttpSyntax.IsToken(name))
            {
                return [];
            }

            foreach (var value in values)
            {
                if (value is null)
                {
                    continue;
                }

                if (!IsFieldValue(value))
                {
                    return [];
                }

                text.Append(name).Append(": ").Append(value).Append("\r\n");
            }
        }

        return Encoding.ASCII.GetBytes(text.ToString());
    }

    // What Kestrel sends without complaint.
    private static bool IsFieldValue(string value) => !value.AsSpan().ContainsAnyExcept(FieldValueChars);
}
