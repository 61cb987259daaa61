using System.Globalization;
using IsrProxy.Caching.Compression;
using IsrProxy.Caching.Http;
using IsrProxy.Storage;
using Microsoft.AspNetCore.Http;

namespace IsrProxy.Caching;

/// <summary>
/// Writes an entry as the answer: status, stored headers, this cache's headers, and the stored body bytes as they are
/// (no copy). Answers 304 from the entry when the client's validators match, and no body to HEAD.
/// </summary>
internal static class CachedResponse
{
    // Age values made once each: most hits are answered within the first hour of their entry.
    private static readonly string?[] AgeValues = new string?[4096];

    // Fields a 304 carries (RFC 9110 §15.4.5): those a 200 would have sent that describe the cache, not the representation.
    private static readonly string[] NotModifiedFields = ["Date", "ETag", "Expires", "Vary", "Content-Location", "Last-Modified"];

    public static Task WriteAsync(HttpContext context, CacheEntry entry, CacheClass cacheClass, string cacheStatusMember, DateTimeOffset now, bool fromStore)
    {
        var request = context.Request;
        var response = context.Response;
        var headers = response.Headers;
        var cacheControl = cacheClass == CacheClass.Stale ? CacheControlPolicy.RewriteForStale(entry.CacheControl) : entry.CacheControl;
        var variant = ChooseEncoding(entry, request);
        var etag = variant is null ? entry.ETag : variant.ETag;
        if (fromStore && entry.StatusCode == StatusCodes.Status200OK
            && ConditionalRequest.IsNotModified(request.Headers.IfNoneMatch.ToString(), request.Headers.IfModifiedSince.ToString(), etag, entry.LastModified))
        {
            response.StatusCode = StatusCodes.Status304NotModified;
            foreach (var header in entry.Headers)
            {
                if (Array.Exists(NotModifiedFields, f => string.Equals(f, header.Key, StringComparison.OrdinalIgnoreCase)))
                {
                    headers[header.Key] = header.Value;
                }
            }

            WriteVariantHeaders(headers, variant);
            WriteCacheFields(headers, cacheControl, cacheClass);
            WriteTimedFields(headers, entry, cacheStatusMember, now, fromStore);
            return Task.CompletedTask;
        }

        response.StatusCode = entry.StatusCode;
        WriteStoredFields(headers, entry, variant, cacheControl, cacheClass);
        WriteTimedFields(headers, entry, cacheStatusMember, now, fromStore);
        var body = variant?.Body ?? entry.Body;
        response.ContentLength = body.Length;
        if (HttpMethods.IsHead(request.Method) || body.IsEmpty)
        {
            return Task.CompletedTask;
        }

        // The body is usually handed to the socket before WriteAsync returns: no Task for that case.
        var write = response.BodyWriter.WriteAsync(body, context.RequestAborted);
        if (write.IsCompletedSuccessfully)
        {
            _ = write.Result;
            return Task.CompletedTask;
        }

        return write.AsTask();
    }

    /// <summary>
    /// The fields of a full answer that depend on the entry and the variant only: the stored fields, the variant's
    /// coding and validator, Cache-Control and the cache class. Age and Cache-Status change with time and are not here.
    /// </summary>
    public static void WriteStoredFields(IHeaderDictionary headers, CacheEntry entry, EncodedBody? variant, string? cacheControl, CacheClass cacheClass)
    {
        foreach (var header in entry.Headers)
        {
            headers[header.Key] = header.Value;
        }

        WriteVariantHeaders(headers, variant);
        WriteCacheFields(headers, cacheControl, cacheClass);
    }

    /// <summary>The stored variant to send: the first (best) coding the client accepts, or null for the body as is.</summary>
    private static EncodedBody? ChooseEncoding(CacheEntry entry, HttpRequest request)
    {
        if (entry.Encodings.Length == 0)
        {
            return null;
        }

        var (br, gzip) = AcceptEncoding.Acceptable(request.Headers.AcceptEncoding.ToString());
        var index = EncodingIndex(entry, br, gzip);
        return index < 0 ? null : entry.Encodings[index];
    }

    /// <summary>The index in <see cref="CacheEntry.Encodings"/> of the first (best) coding accepted, or -1 for none.</summary>
    public static int EncodingIndex(CacheEntry entry, bool br, bool gzip)
    {
        var encodings = entry.Encodings;
        for (var i = 0; i < encodings.Length; i++)
        {
            if ((br && encodings[i].Coding == "br") || (gzip && encodings[i].Coding == "gzip"))
            {
                return i;
            }
        }

        return -1;
    }

    private static void WriteVariantHeaders(IHeaderDictionary headers, EncodedBody? variant)
    {
        if (variant is null)
        {
            return;
        }

        headers.ContentEncoding = variant.Coding;
        if (variant.ETag is not null)
        {
            headers.ETag = variant.ETag;
        }
        else
        {
            headers.Remove("ETag");                                     // a weak or odd validator is not reused across codings
        }
    }

    /// <summary>Age in whole seconds: the origin's Age plus the time spent here (RFC 9111 §4.2.3).</summary>
    public static long AgeSeconds(CacheEntry entry, DateTimeOffset now)
    {
        var age = entry.InitialAge + (now - entry.GeneratedAt);
        return age <= TimeSpan.Zero ? 0 : (long)age.TotalSeconds;
    }

    /// <summary>The Age field's value for <paramref name="entry"/> at <paramref name="now"/>.</summary>
    public static string AgeText(CacheEntry entry, DateTimeOffset now)
    {
        var age = AgeSeconds(entry, now);
        return (ulong)age < (ulong)AgeValues.Length
            ? AgeValues[age] ??= age.ToString(CultureInfo.InvariantCulture)
            : age.ToString(CultureInfo.InvariantCulture);
    }

    // This cache's fields that depend on the answer's class only.
    private static void WriteCacheFields(IHeaderDictionary headers, string? cacheControl, CacheClass cacheClass)
    {
        if (cacheControl is not null)
        {
            headers.CacheControl = cacheControl;
        }

        headers[IsrHeaders.XIsrCache] = cacheClass.Label();
    }

    // This cache's fields that change with time: Age (answers from the store) and Cache-Status.
    private static void WriteTimedFields(IHeaderDictionary headers, CacheEntry entry, string member, DateTimeOffset now, bool fromStore)
    {
        if (fromStore)
        {
            headers.Age = AgeText(entry, now);
        }

        headers[IsrHeaders.CacheStatus] = CacheStatusHeader.Append(entry.OriginCacheStatus, member);
    }
}
