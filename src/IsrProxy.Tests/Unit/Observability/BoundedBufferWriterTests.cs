using IsrProxy.Observability;

namespace IsrProxy.Tests.Unit.Observability;

public sealed class BoundedBufferWriterTests
{
    [Fact]
    public void Write_PastInitialSize_GrowsAndKeepsContent()
    {
        using var buffer = new BoundedBufferWriter(initialBytes: 16, maxBytes: 4096);
        var expected = new byte[1000];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = (byte)i;
        }

        for (var offset = 0; offset < expected.Length; offset += 10)
        {
            expected.AsSpan(offset, 10).CopyTo(buffer.GetSpan(10));
            buffer.Advance(10);
        }

        Assert.Equal(expected, buffer.WrittenMemory.ToArray());
    }

    [Fact]
    public void GetSpan_BeyondLimit_ThrowsNamingLimit()
    {
        using var buffer = new BoundedBufferWriter(initialBytes: 16, maxBytes: 64);
        buffer.GetSpan(60);
        buffer.Advance(60);

        var error = Assert.Throws<MetricsCollectionException>(() => buffer.GetSpan(5));

        Assert.Contains("limit of 64 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(60, buffer.WrittenCount);
    }

    [Fact]
    public void GetSpan_UpToLimit_NeverOffersMoreThanLimit()
    {
        using var buffer = new BoundedBufferWriter(initialBytes: 16, maxBytes: 100);

        Assert.Equal(100, buffer.GetSpan(100).Length);
        Assert.Throws<ArgumentOutOfRangeException>(() => buffer.Advance(101));
    }

    [Fact]
    public void WrittenMemory_AfterDispose_Throws()
    {
        var buffer = new BoundedBufferWriter(initialBytes: 16, maxBytes: 64);
        buffer.Dispose();

        Assert.Throws<ObjectDisposedException>(() => buffer.WrittenMemory);
    }
}
