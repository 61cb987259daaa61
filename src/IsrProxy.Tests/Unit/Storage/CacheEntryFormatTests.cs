using System.Text;
using IsrProxy.Storage;
using Microsoft.Extensions.Primitives;

namespace IsrProxy.Tests.Unit.Storage;

public sealed class CacheEntryFormatTests
{
    [Fact]
    public void RoundTrip_KeepsEveryStoredField()
    {
        var entry = Full();

        var read = CacheEntryFormat.Read(CacheEntryFormat.WriteMetadata(entry), entry.Body);

        AssertSame(entry, read);
    }

    [Fact]
    public void RoundTrip_NullsAndEmptiesStayNullAndEmpty()
    {
        var entry = new CacheEntry
        {
            Key = "/a",
            Path = "/a",
            PathAndQuery = "/a",
            StatusCode = 404,
            RenderStartedAt = Entries.T0,
            GeneratedAt = Entries.T0,
        };

        var read = CacheEntryFormat.Read(CacheEntryFormat.WriteMetadata(entry), ReadOnlyMemory<byte>.Empty);

        AssertSame(entry, read);
        Assert.Null(read!.PrimaryKey);
        Assert.Null(read.RevalidateAt);
        Assert.Null(read.ETag);
    }

    [Fact]
    public void RoundTrip_VaryMarker_StaysAMarker()
    {
        var marker = new CacheEntry
        {
            Key = "/p",
            Path = "/p",
            PathAndQuery = "/p",
            RenderStartedAt = Entries.T0,
            GeneratedAt = Entries.T0,
            VaryOn = ["accept-encoding", "rsc"],
            IsVaryMarker = true,
        };

        var read = CacheEntryFormat.Read(CacheEntryFormat.WriteMetadata(marker), default);

        Assert.True(read!.IsVaryMarker);
        Assert.Equal(marker.VaryOn, read.VaryOn);
    }

    [Fact]
    public void RoundTrip_HitForPassMarker_IsWrittenAsItsOwnVersion_AndStaysAMarker()
    {
        var marker = new CacheEntry
        {
            Key = "/me",
            Path = "/me",
            PathAndQuery = "/me",
            RenderStartedAt = Entries.T0,
            GeneratedAt = Entries.T0,
            RevalidateAt = Entries.T0.AddSeconds(120),
            ClockKeys = ["path:/me"],
            IsHitForPass = true,
        };

        var bytes = CacheEntryFormat.WriteMetadata(marker);
        var read = CacheEntryFormat.Read(bytes, default);

        Assert.Equal(CacheEntryFormat.HitForPassVersion, bytes[0]);            // a v1-only reader takes it for a miss
        Assert.True(read!.IsHitForPass);
        Assert.True(read.IsMarker);
        Assert.Equal(marker.RevalidateAt, read.RevalidateAt);
        Assert.Equal(marker.ClockKeys, read.ClockKeys);
    }

    [Fact]
    public void Read_HitForPassFlagInAVersion1Record_IsAMiss()
    {
        var bytes = CacheEntryFormat.WriteMetadata(Full());
        bytes[1] |= 4;

        Assert.Null(CacheEntryFormat.Read(bytes, default));
    }

    [Fact]
    public void Read_BodyIsTheGivenMemory_NotACopy()
    {
        var entry = Full();
        var body = new byte[] { 1, 2, 3 };

        var read = CacheEntryFormat.Read(CacheEntryFormat.WriteMetadata(entry), body);

        Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetArray(read!.Body, out var segment));
        Assert.Same(body, segment.Array);
    }

    [Fact]
    public void Write_DoesNotKeepRetryAfter()
    {
        var entry = Full();
        entry.RetryAfter = Entries.T0.AddHours(1);

        var read = CacheEntryFormat.Read(CacheEntryFormat.WriteMetadata(entry), entry.Body);

        Assert.Equal(DateTimeOffset.UnixEpoch, read!.RetryAfter);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(2)]
    [InlineData(127)]
    public void Read_UnknownVersion_IsAMiss(int version)
    {
        var bytes = CacheEntryFormat.WriteMetadata(Full());
        bytes[0] = (byte)version;

        Assert.Null(CacheEntryFormat.Read(bytes, default));
    }

    [Fact]
    public void Read_EveryTruncation_IsAMissWithoutException()
    {
        var bytes = CacheEntryFormat.WriteMetadata(Full());

        for (var length = 0; length < bytes.Length; length++)
        {
            Assert.Null(CacheEntryFormat.Read(bytes.AsMemory(0, length), default));
        }
    }

    [Fact]
    public void Read_TrailingBytes_IsAMiss()
    {
        var bytes = CacheEntryFormat.WriteMetadata(Full());

        Assert.Null(CacheEntryFormat.Read((byte[])[.. bytes, 0], default));
    }

    [Fact]
    public void Read_RandomGarbage_NeverThrows()
    {
        var random = new Random(4242);
        var valid = CacheEntryFormat.WriteMetadata(Full());
        for (var i = 0; i < 2000; i++)
        {
            var bytes = random.Next(2) == 0 ? new byte[random.Next(0, 200)] : (byte[])valid.Clone();
            if (bytes.Length == valid.Length)
            {
                bytes[random.Next(1, bytes.Length)] = (byte)random.Next(256);    // one corrupt byte after the version
            }
            else
            {
                random.NextBytes(bytes);
            }

            var read = CacheEntryFormat.Read(bytes, default);
            Assert.True(read is null || read.Key.Length >= 0);
        }
    }

    [Fact]
    public void Read_HugeCountInGarbage_IsAMissNotAnAllocation()
    {
        // version 1, no flags, then an empty key, no primary key, empty path and path-and-query, and a request-header
        // count of int.MaxValue: refused before any array is made.
        byte[] bytes = [1, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x07];

        Assert.Null(CacheEntryFormat.Read(bytes, default));
    }

    private static CacheEntry Full() => new()
    {
        Key = "/blog/a?page=2\nvary\naccept-encoding=br",
        PrimaryKey = "/blog/a?page=2",
        Path = "/blog/a",
        PathAndQuery = "/blog/a?page=2",
        RequestHeaders = [new("accept-encoding", "br"), new("rsc", "1")],
        StatusCode = 203,
        Headers =
        [
            new("Content-Type", "text/html; charset=utf-8"),
            new("Link", new StringValues(["</a.css>; rel=preload", "</b.js>; rel=preload"])),
            new("X-Empty", StringValues.Empty),
            new("X-Ünïcödé", "wert ✓"),
        ],
        CacheControl = "s-maxage=60, stale-while-revalidate=30",
        OriginCacheStatus = "OriginCache; hit",
        ETag = "\"abc\"",
        LastModified = "Wed, 21 Oct 2015 07:28:00 GMT",
        Body = Encoding.UTF8.GetBytes("<html>hello</html>"),
        RenderStartedAt = Entries.T0.AddTicks(1),
        GeneratedAt = Entries.T0.AddMilliseconds(250),
        InitialAge = TimeSpan.FromSeconds(7),
        RevalidateAt = Entries.T0.AddSeconds(60),
        MaxStale = TimeSpan.FromSeconds(30),
        StaleIfError = TimeSpan.FromMinutes(5),
        Tags = ["blog", "post-a"],
        ClockKeys = ClockKeys.For("/blog/a", ["blog", "post-a"]),
        VaryOn = ["accept-encoding"],
        Encodings = [new("br", new byte[] { 1, 2, 3 }, "\"abc-br\""), new("gzip", new byte[] { 4, 5 }, null)],
    };

    private static void AssertSame(CacheEntry expected, CacheEntry? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.PrimaryKey, actual.PrimaryKey);
        Assert.Equal(expected.Path, actual.Path);
        Assert.Equal(expected.PathAndQuery, actual.PathAndQuery);
        Assert.Equal(expected.RequestHeaders, actual.RequestHeaders);
        Assert.Equal(expected.StatusCode, actual.StatusCode);
        Assert.Equal(expected.Headers.Length, actual.Headers.Length);
        for (var i = 0; i < expected.Headers.Length; i++)
        {
            Assert.Equal(expected.Headers[i].Key, actual.Headers[i].Key);
            Assert.Equal(expected.Headers[i].Value.ToArray(), actual.Headers[i].Value.ToArray());
        }

        Assert.Equal(expected.CacheControl, actual.CacheControl);
        Assert.Equal(expected.OriginCacheStatus, actual.OriginCacheStatus);
        Assert.Equal(expected.ETag, actual.ETag);
        Assert.Equal(expected.LastModified, actual.LastModified);
        Assert.Equal(expected.Body.ToArray(), actual.Body.ToArray());
        Assert.Equal(expected.Encodings.Length, actual.Encodings.Length);
        for (var i = 0; i < expected.Encodings.Length; i++)
        {
            Assert.Equal(expected.Encodings[i].Coding, actual.Encodings[i].Coding);
            Assert.Equal(expected.Encodings[i].ETag, actual.Encodings[i].ETag);
            Assert.Equal(expected.Encodings[i].Body.ToArray(), actual.Encodings[i].Body.ToArray());
        }

        Assert.Equal(expected.RenderStartedAt.UtcTicks, actual.RenderStartedAt.UtcTicks);
        Assert.Equal(expected.GeneratedAt.UtcTicks, actual.GeneratedAt.UtcTicks);
        Assert.Equal(expected.InitialAge, actual.InitialAge);
        Assert.Equal(expected.RevalidateAt?.UtcTicks, actual.RevalidateAt?.UtcTicks);
        Assert.Equal(expected.MaxStale, actual.MaxStale);
        Assert.Equal(expected.StaleIfError, actual.StaleIfError);
        Assert.Equal(expected.Tags, actual.Tags);
        Assert.Equal(expected.ClockKeys, actual.ClockKeys);
        Assert.Equal(expected.VaryOn, actual.VaryOn);
        Assert.Equal(expected.IsVaryMarker, actual.IsVaryMarker);
        Assert.Equal(expected.Size, actual.Size);
    }
}
