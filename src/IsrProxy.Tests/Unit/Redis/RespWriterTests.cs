using System.Buffers;
using System.Text;
using IsrProxy.Redis;

namespace IsrProxy.Tests.Unit.Redis;

public sealed class RespWriterTests
{
    [Fact]
    public void WriteCommand_TextBytesAndInteger_ExactBytes()
    {
        var output = Write(new RedisCommand("SET", "key", new byte[] { 1, 2 }, 42L));
        Assert.Equal("*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$2\r\n\x01\x02\r\n$2\r\n42\r\n", Encoding.Latin1.GetString(output));
    }

    [Fact]
    public void WriteCommand_NoArguments_IsOneElementArray()
    {
        Assert.Equal("*1\r\n$4\r\nPING\r\n", Encoding.Latin1.GetString(Write(new RedisCommand("PING"))));
    }

    [Fact]
    public void WriteCommand_EmptyTextAndBytes_AreZeroLengthBulks()
    {
        var output = Write(new RedisCommand("SET", string.Empty, ReadOnlyMemory<byte>.Empty));
        Assert.Equal("*3\r\n$3\r\nSET\r\n$0\r\n\r\n$0\r\n\r\n", Encoding.Latin1.GetString(output));
    }

    [Fact]
    public void WriteCommand_NonAsciiText_LengthCountsUtf8Bytes()
    {
        var output = Write(new RedisCommand("ECHO", "é€"));
        var expected = new List<byte>(Encoding.ASCII.GetBytes("*2\r\n$4\r\nECHO\r\n$5\r\n"));
        expected.AddRange(Encoding.UTF8.GetBytes("é€"));
        expected.AddRange("\r\n"u8.ToArray());
        Assert.Equal(expected, output);
    }

    [Theory]
    [InlineData(0L, "0")]
    [InlineData(-1L, "-1")]
    [InlineData(long.MaxValue, "9223372036854775807")]
    [InlineData(long.MinValue, "-9223372036854775808")]
    public void WriteCommand_Integer_WrittenAsDecimalBulk(long value, string digits)
    {
        var output = Write(new RedisCommand("X", value));
        Assert.Equal($"*2\r\n$1\r\nX\r\n${digits.Length}\r\n{digits}\r\n", Encoding.ASCII.GetString(output));
    }

    [Fact]
    public void WriteCommand_LongTextAndLargeBytes_RoundTripThroughReader()
    {
        var text = string.Concat(Enumerable.Repeat("ключ-", 3000));
        var bytes = new byte[3 * 1024 * 1024];
        new Random(3).NextBytes(bytes);
        var output = Write(new RedisCommand("SET", text, bytes));

        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(output));
        Assert.True(RespReader.TryRead(ref reader, out var parsed));
        Assert.True(reader.End);
        Assert.Equal(3, parsed.Items.Count);
        Assert.Equal("SET", parsed.Items[0].AsString());
        Assert.Equal(text, parsed.Items[1].AsString());
        Assert.True(bytes.AsSpan().SequenceEqual(parsed.Items[2].AsBytes()));
    }

    [Fact]
    public void WriteCommand_SmallBufferWriterSegments_SameBytes()
    {
        var command = new RedisCommand("HSET", "h", "field", new byte[10_000], 123456789L);
        var contiguous = Write(command);
        var chunked = new ChunkedWriter(7);
        RespWriter.WriteCommand(chunked, command);
        Assert.Equal(contiguous, chunked.ToArray());
    }

    private static byte[] Write(RedisCommand command)
    {
        var writer = new ArrayBufferWriter<byte>();
        RespWriter.WriteCommand(writer, command);
        return writer.WrittenSpan.ToArray();
    }

    /// <summary>An IBufferWriter that hands out small spans (at least the size hint), like a pipe near a segment end.</summary>
    private sealed class ChunkedWriter(int chunk) : IBufferWriter<byte>
    {
        private readonly List<byte> _written = [];
        private byte[] _current = [];

        public void Advance(int count) => _written.AddRange(_current.AsSpan(0, count).ToArray());

        public Memory<byte> GetMemory(int sizeHint = 0)
        {
            _current = new byte[Math.Max(sizeHint, chunk)];
            return _current;
        }

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;

        public byte[] ToArray() => [.. _written];
    }
}
