using System.Runtime.InteropServices;
using System.Text;
using IsrProxy.Caching.Compression;
using Microsoft.Extensions.Primitives;

namespace IsrProxy.Storage;

/// <summary>
/// The binary form of a <see cref="CacheEntry"/> in a shared store: its metadata as one compact record, its body kept
/// beside it as raw bytes (a separate Redis hash field), so a multi-megabyte body is never copied into a combined buffer.
/// The version comes first, forever; a record of any other version, or one cut short or malformed, reads as a miss.
/// <see cref="CacheEntry.RetryAfter"/> is a per-process hint and is not written.
/// </summary>
internal static class CacheEntryFormat
{
    public const int CurrentVersion = 1;

    /// <summary>
    /// The version of hit-for-pass markers: the v1 layout with flag 4. Written as its own version so that a reader that
    /// knows only v1 (an older replica on the same Redis) takes the marker for a miss instead of an empty answer.
    /// </summary>
    public const int HitForPassVersion = 2;

    private const byte VaryMarkerFlag = 1;
    private const byte RevalidateFlag = 2;
    private const byte HitForPassFlag = 4;

    // Layout v1 (integers 7-bit encoded unless noted; strings length-prefixed UTF-8; "string?" is a 0/1 byte then the string):
    //   version | flags (byte: 1 vary marker, 2 has RevalidateAt, 4 hit-for-pass marker, only in v2) | Key | PrimaryKey string? | Path | PathAndQuery
    //   | request headers: count, (name, value)* | StatusCode
    //   | response headers: count, (name, value count, value string?*)* | CacheControl string? | OriginCacheStatus string?
    //   | ETag string? | LastModified string?
    //   | RenderStartedAt, GeneratedAt, InitialAge, RevalidateAt (only with flag 2), MaxStale, StaleIfError (UTC ticks, 8 bytes each)
    //   | Tags: count, string* | ClockKeys: count, string* | VaryOn: count, string*
    //   | Encodings: count, (coding, ETag string?, length, bytes)*  (compressed variants: a fraction of the body's size)
    public static byte[] WriteMetadata(CacheEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        using var buffer = new MemoryStream(256 + (entry.Key.Length * 3));
        using (var w = new BinaryWriter(buffer, Encoding.UTF8, leaveOpen: true))
        {
            w.Write7BitEncodedInt(entry.IsHitForPass ? HitForPassVersion : CurrentVersion);
            w.Write((byte)((entry.IsVaryMarker ? VaryMarkerFlag : 0)
                | (entry.RevalidateAt is null ? 0 : RevalidateFlag)
                | (entry.IsHitForPass ? HitForPassFlag : 0)));
            w.Write(entry.Key);
            WriteNullable(w, entry.PrimaryKey);
            w.Write(entry.Path);
            w.Write(entry.PathAndQuery);
            w.Write7BitEncodedInt(entry.RequestHeaders.Length);
            foreach (var (name, value) in entry.RequestHeaders)
            {
                w.Write(name);
                w.Write(value);
            }

            w.Write7BitEncodedInt(entry.StatusCode);
            w.Write7BitEncodedInt(entry.Headers.Length);
            foreach (var (name, values) in entry.Headers)
            {
                w.Write(name);
                w.Write7BitEncodedInt(values.Count);
                foreach (var value in values)
                {
                    WriteNullable(w, value);
                }
            }

            WriteNullable(w, entry.CacheControl);
            WriteNullable(w, entry.OriginCacheStatus);
            WriteNullable(w, entry.ETag);
            WriteNullable(w, entry.LastModified);
            w.Write(entry.RenderStartedAt.UtcTicks);
            w.Write(entry.GeneratedAt.UtcTicks);
            w.Write(entry.InitialAge.Ticks);
            if (entry.RevalidateAt is { } revalidateAt)
            {
                w.Write(revalidateAt.UtcTicks);
            }

            w.Write(entry.MaxStale.Ticks);
            w.Write(entry.StaleIfError.Ticks);
            WriteStrings(w, entry.Tags);
            WriteStrings(w, entry.ClockKeys);
            WriteStrings(w, entry.VaryOn);
            w.Write7BitEncodedInt(entry.Encodings.Length);
            foreach (var encoding in entry.Encodings)
            {
                w.Write(encoding.Coding);
                WriteNullable(w, encoding.ETag);
                w.Write7BitEncodedInt(encoding.Body.Length);
                w.Write(encoding.Body.Span);
            }
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The entry written by <see cref="WriteMetadata"/>, with <paramref name="body"/> as its body (not copied); null for an
    /// unknown version or a record that is cut short or malformed.
    /// </summary>
    public static CacheEntry? Read(ReadOnlyMemory<byte> metadata, ReadOnlyMemory<byte> body)
    {
        var bytes = MemoryMarshal.TryGetArray(metadata, out var segment) && segment.Array is not null
            ? segment
            : new ArraySegment<byte>(metadata.ToArray());
        using var stream = new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false);   // TryGetArray or ToArray gave an array
        using var r = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        try
        {
            var version = r.Read7BitEncodedInt();
            if (version is not (CurrentVersion or HitForPassVersion))
            {
                return null;
            }

            var flags = r.ReadByte();
            if (((flags & HitForPassFlag) != 0) != (version == HitForPassVersion))
            {
                return null;                                          // a marker is always v2, and v2 is always a marker
            }

            var key = r.ReadString();
            var primaryKey = ReadNullable(r);
            var path = r.ReadString();
            var pathAndQuery = r.ReadString();
            var requestHeaders = new KeyValuePair<string, string>[ReadCount(r, stream)];
            for (var i = 0; i < requestHeaders.Length; i++)
            {
                requestHeaders[i] = new(r.ReadString(), r.ReadString());
            }

            var status = r.Read7BitEncodedInt();
            var headers = new KeyValuePair<string, StringValues>[ReadCount(r, stream)];
            for (var i = 0; i < headers.Length; i++)
            {
                var name = r.ReadString();
                var values = new string?[ReadCount(r, stream)];
                for (var v = 0; v < values.Length; v++)
                {
                    values[v] = ReadNullable(r);
                }

                headers[i] = new(name, values.Length == 1 ? new StringValues(values[0]) : new StringValues(values));
            }

            var cacheControl = ReadNullable(r);
            var originCacheStatus = ReadNullable(r);
            var etag = ReadNullable(r);
            var lastModified = ReadNullable(r);
            var renderStartedAt = ReadInstant(r);
            var generatedAt = ReadInstant(r);
            var initialAge = new TimeSpan(r.ReadInt64());
            DateTimeOffset? revalidateAt = (flags & RevalidateFlag) != 0 ? ReadInstant(r) : null;
            var maxStale = new TimeSpan(r.ReadInt64());
            var staleIfError = new TimeSpan(r.ReadInt64());
            var tags = ReadStrings(r, stream);
            var clockKeys = ReadStrings(r, stream);
            var varyOn = ReadStrings(r, stream);
            var encodings = new EncodedBody[ReadCount(r, stream)];
            for (var i = 0; i < encodings.Length; i++)
            {
                var coding = r.ReadString();
                var encodingETag = ReadNullable(r);
                var length = ReadCount(r, stream);
                var start = checked((int)stream.Position);
                stream.Position = checked(start + length);
                if (stream.Position > stream.Length)
                {
                    return null;
                }

                // A view of the record's own array: the variant is not copied again.
                encodings[i] = new EncodedBody(coding, bytes.AsMemory(start, length), encodingETag);
            }

            if (stream.Position != stream.Length)
            {
                return null;                                          // trailing bytes: not a record this version wrote
            }

            return new CacheEntry
            {
                Key = key,
                PrimaryKey = primaryKey,
                Path = path,
                PathAndQuery = pathAndQuery,
                RequestHeaders = requestHeaders,
                StatusCode = status,
                Headers = headers,
                CacheControl = cacheControl,
                OriginCacheStatus = originCacheStatus,
                ETag = etag,
                LastModified = lastModified,
                Body = body,
                RenderStartedAt = renderStartedAt,
                GeneratedAt = generatedAt,
                InitialAge = initialAge,
                RevalidateAt = revalidateAt,
                MaxStale = maxStale,
                StaleIfError = staleIfError,
                Tags = tags,
                ClockKeys = clockKeys,
                VaryOn = varyOn,
                Encodings = encodings,
                IsVaryMarker = (flags & VaryMarkerFlag) != 0,
                IsHitForPass = (flags & HitForPassFlag) != 0,
            };
        }
        catch (Exception ex) when (ex is EndOfStreamException or IOException or FormatException or ArgumentOutOfRangeException or OverflowException)
        {
            return null;                                              // cut short or malformed: a miss, never a failed request
        }
    }

    private static void WriteNullable(BinaryWriter w, string? value)
    {
        w.Write(value is not null);
        if (value is not null)
        {
            w.Write(value);
        }
    }

    private static void WriteStrings(BinaryWriter w, string[] values)
    {
        w.Write7BitEncodedInt(values.Length);
        foreach (var value in values)
        {
            w.Write(value);
        }
    }

    private static string? ReadNullable(BinaryReader r) => r.ReadByte() switch
    {
        0 => null,
        1 => r.ReadString(),
        var other => throw new FormatException($"Cache entry: presence byte {other} is neither 0 nor 1."),
    };

    private static string[] ReadStrings(BinaryReader r, Stream stream)
    {
        var values = new string[ReadCount(r, stream)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = r.ReadString();
        }

        return values;
    }

    // Every element takes at least one byte, so a count past the bytes left is garbage; refusing it keeps a corrupt
    // record from allocating a huge array.
    private static int ReadCount(BinaryReader r, Stream stream)
    {
        var count = r.Read7BitEncodedInt();
        if (count < 0 || count > stream.Length - stream.Position)
        {
            throw new FormatException($"Cache entry: count {count} exceeds the {stream.Length - stream.Position} bytes left.");
        }

        return count;
    }

    private static DateTimeOffset ReadInstant(BinaryReader r) => new(r.ReadInt64(), TimeSpan.Zero);
}
