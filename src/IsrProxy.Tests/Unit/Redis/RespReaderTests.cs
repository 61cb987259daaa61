using System.Buffers;
using System.Text;
using IsrProxy.Redis;
using IsrProxy.Tests.Fixtures;

namespace IsrProxy.Tests.Unit.Redis;

public sealed class RespReaderTests
{
    public static TheoryData<string, string> Replies => new()
    {
        { "+OK\r\n", "+OK" },
        { "+\r\n", "+" },
        { "-ERR unknown command 'FOO'\r\n", "-ERR unknown command 'FOO'" },
        { ":0\r\n", ":0" },
        { ":-42\r\n", ":-42" },
        { ":9223372036854775807\r\n", ":9223372036854775807" },
        { ":-9223372036854775808\r\n", ":-9223372036854775808" },
        { "$5\r\nhello\r\n", "$hello" },
        { "$0\r\n\r\n", "$" },
        { "$4\r\n\r\n\r\n\r\n", "$\\x0D\\x0A\\x0D\\x0A" },
        { "$-1\r\n", "$null" },
        { "*-1\r\n", "*null" },
        { "*0\r\n", "[]" },
        { "*3\r\n:1\r\n$3\r\nfoo\r\n*2\r\n+a\r\n$-1\r\n", "[:1,$foo,[+a,$null]]" },
        { "*2\r\n*1\r\n*0\r\n-E x\r\n", "[[[]],-E x]" },
        { "*3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\n\x00\x01\x02\r\n", "[$message,$ch,$\\x00\\x01\\x02]" },
    };

    [Theory]
    [MemberData(nameof(Replies))]
    public void TryRead_WholeReply_ParsesAndConsumesAll(string wire, string expected)
    {
        var bytes = Latin1(wire);
        var (complete, text, consumed) = Read(new ReadOnlySequence<byte>(bytes));
        Assert.True(complete);
        Assert.Equal(expected, text);
        Assert.Equal(bytes.Length, consumed);
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void TryRead_TwoSegmentsSplitAtEveryIndex_SameResult(string wire, string expected)
    {
        var bytes = Latin1(wire);
        for (var split = 0; split <= bytes.Length; split++)
        {
            var (complete, text, consumed) = Read(Segments.Split(bytes, split));
            Assert.True(complete, $"split at {split}");
            Assert.Equal(expected, text);
            Assert.Equal(bytes.Length, consumed);
        }
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void TryRead_OneByteSegments_SameResult(string wire, string expected)
    {
        var bytes = Latin1(wire);
        var (complete, text, consumed) = Read(Segments.OneBytePieces(bytes));
        Assert.True(complete);
        Assert.Equal(expected, text);
        Assert.Equal(bytes.Length, consumed);
    }

    [Theory]
    [MemberData(nameof(Replies))]
    public void TryRead_EveryProperPrefix_NeedsMoreAndRewinds(string wire, string expected)
    {
        _ = expected;
        var bytes = Latin1(wire);
        for (var length = 0; length < bytes.Length; length++)
        {
            var prefix = bytes.AsSpan(0, length).ToArray();
            foreach (var sequence in new[] { new ReadOnlySequence<byte>(prefix), Segments.OneBytePieces(prefix) })
            {
                var reader = new SequenceReader<byte>(sequence);
                Assert.False(RespReader.TryRead(ref reader, out _), $"prefix of {length} bytes");
                Assert.Equal(0, reader.Consumed);
            }
        }
    }

    [Fact]
    public void TryRead_RepliesBackToBack_ReadsEachInOrder()
    {
        var bytes = Latin1("+OK\r\n:7\r\n$3\r\nabc\r\n*1\r\n$-1\r\n+PA");
        var reader = new SequenceReader<byte>(Segments.Chunks(bytes, 3));
        var seen = new List<string>();
        while (RespReader.TryRead(ref reader, out var value))
        {
            seen.Add(RespValueText.Describe(value));
        }

        Assert.Equal(["+OK", ":7", "$abc", "[$null]"], seen);
        Assert.Equal(bytes.Length - 3, reader.Consumed);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { "?x\r\n", "unexpected type byte '?'" },
        { "\r\n", "unexpected type byte 0x0D" },
        { "$abc\r\n", "expected a digit" },
        { ":12a\r\n", "expected a digit" },
        { ":\r\n", "has no digits" },
        { ":-\r\n", "has no digits" },
        { "$-2\r\n", "length -2" },
        { "*-5\r\n", "length -5" },
        { ":99999999999999999999\r\n", "does not fit in 64 bits" },
        { ":1\rX", "expected LF after CR" },
        { "+OK\rX", "expected LF after CR" },
        { "+O\nK\r\n", "bare LF" },
        { "$3\r\nfooXY", "not followed by CRLF" },
        { "$536870913\r\n", "length 536870913" },
        { "*1048577\r\n", "length 1048577" },
        { "$000000000000000000001\r\n", "longer than 20" },
        { "*2\r\n:1\r\n!\r\n", "unexpected type byte '!'" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void TryRead_MalformedInput_ThrowsProtocolException(string wire, string messagePart)
    {
        var bytes = Latin1(wire);
        foreach (var sequence in new[] { new ReadOnlySequence<byte>(bytes), Segments.OneBytePieces(bytes) })
        {
            var error = Assert.Throws<RespProtocolException>(() => Read(sequence));
            Assert.Contains(messagePart, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void TryRead_SimpleStringLongerThanLimit_IsRejectedBeforeItEnds()
    {
        var bytes = Encoding.ASCII.GetBytes("+" + new string('a', RespReader.MaxLineLength + 1));
        var error = Assert.Throws<RespProtocolException>(() => Read(new ReadOnlySequence<byte>(bytes)));
        Assert.Contains("the limit is", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_NestingAtDepthLimit_Parses()
    {
        var wire = string.Concat(Enumerable.Repeat("*1\r\n", RespReader.MaxDepth)) + ":5\r\n";
        var (complete, text, _) = Read(new ReadOnlySequence<byte>(Latin1(wire)));
        Assert.True(complete);
        Assert.Equal(new string('[', RespReader.MaxDepth) + ":5" + new string(']', RespReader.MaxDepth), text);
    }

    [Fact]
    public void TryRead_NestingBeyondDepthLimit_IsRejected()
    {
        var wire = string.Concat(Enumerable.Repeat("*1\r\n", RespReader.MaxDepth + 1)) + ":5\r\n";
        var error = Assert.Throws<RespProtocolException>(() => Read(new ReadOnlySequence<byte>(Latin1(wire))));
        Assert.Contains("nested deeper than 32", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TryRead_ArrayAtCountLimitWithoutElements_NeedsMore()
    {
        var (complete, _, consumed) = Read(new ReadOnlySequence<byte>(Latin1($"*{RespReader.MaxArrayLength}\r\n:1\r\n")));
        Assert.False(complete);
        Assert.Equal(0, consumed);
    }

    [Fact]
    public void TryRead_TenMegabyteBulkArrivingInChunks_NeedsMoreUntilCompleteThenMatches()
    {
        var payload = new byte[10 * 1024 * 1024];
        new Random(7).NextBytes(payload);
        var header = Latin1($"${payload.Length}\r\n");
        var wire = new byte[header.Length + payload.Length + 2];
        header.CopyTo(wire, 0);
        payload.CopyTo(wire, header.Length);
        wire[^2] = (byte)'\r';
        wire[^1] = (byte)'\n';

        const int chunk = 64 * 1024;
        var attempts = 0;
        for (var available = chunk; available < wire.Length; available += chunk)
        {
            var reader = new SequenceReader<byte>(Segments.Chunks(wire[..available], chunk));
            Assert.False(RespReader.TryRead(ref reader, out _));
            Assert.Equal(0, reader.Consumed);
            attempts++;
        }

        var full = new SequenceReader<byte>(Segments.Chunks(wire, chunk));
        Assert.True(RespReader.TryRead(ref full, out var value));
        Assert.True(attempts > 100);
        Assert.Equal(wire.Length, full.Consumed);
        Assert.True(payload.AsSpan().SequenceEqual(value.AsBytes()));
    }

    [Fact]
    public void TryRead_BulkPayload_IsCopiedOutOfTheBuffer()
    {
        var bytes = Latin1("$3\r\nabc\r\n");
        var reader = new SequenceReader<byte>(new ReadOnlySequence<byte>(bytes));
        Assert.True(RespReader.TryRead(ref reader, out var value));
        bytes.AsSpan().Fill((byte)'z');
        Assert.Equal("abc", value.AsString());
    }

    [Fact]
    public void TryRead_RandomGarbage_OnlyValueNeedMoreOrProtocolError()
    {
        var random = new Random(20240601);
        var alphabet = Latin1("+-:$*\r\n\r\n0123456789-1ab\x00\xff");
        var samples = Replies.Select(row => Latin1((string)row[0])).ToArray();
        var outcomes = new Dictionary<string, int>();
        for (var i = 0; i < 4000; i++)
        {
            byte[] input;
            if (i % 2 == 0)
            {
                input = new byte[random.Next(0, 48)];
                for (var j = 0; j < input.Length; j++)
                {
                    input[j] = alphabet[random.Next(alphabet.Length)];
                }
            }
            else
            {
                input = Mutate(samples[random.Next(samples.Length)], random);
            }

            var whole = Outcome(new ReadOnlySequence<byte>(input));
            var pieces = Outcome(Segments.OneBytePieces(input));
            Assert.Equal(whole, pieces);
            var kind = whole.Split(' ')[0];
            outcomes[kind] = outcomes.GetValueOrDefault(kind) + 1;
        }

        Assert.True(outcomes.GetValueOrDefault("value") > 0);
        Assert.True(outcomes.GetValueOrDefault("more") > 0);
        Assert.True(outcomes.GetValueOrDefault("error") > 0);
    }

    /// <summary>Reads values until need-more or an error (at most 64), describing what happened.</summary>
    private static string Outcome(ReadOnlySequence<byte> input)
    {
        var reader = new SequenceReader<byte>(input);
        var values = new List<string>();
        try
        {
            for (var n = 0; n < 64; n++)
            {
                if (!RespReader.TryRead(ref reader, out var value))
                {
                    return $"more {reader.Consumed} {string.Join("|", values)}";
                }

                values.Add(RespValueText.Describe(value));
                if (reader.End)
                {
                    return $"value {reader.Consumed} {string.Join("|", values)}";
                }
            }

            return $"value {reader.Consumed} {string.Join("|", values)}";
        }
        catch (RespProtocolException ex)
        {
            return $"error {ex.Message}";
        }
    }

    private static byte[] Mutate(byte[] sample, Random random)
    {
        var bytes = new List<byte>(sample);
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(3))
            {
                case 0:
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1:
                    bytes.RemoveAt(at);
                    break;
                default:
                    bytes.Insert(at, (byte)"\r\n0-9$*:+"[random.Next(9)]);
                    break;
            }
        }

        return [.. bytes];
    }

    private static (bool Complete, string Text, long Consumed) Read(ReadOnlySequence<byte> sequence)
    {
        var reader = new SequenceReader<byte>(sequence);
        var complete = RespReader.TryRead(ref reader, out var value);
        return (complete, complete ? RespValueText.Describe(value) : string.Empty, reader.Consumed);
    }

    private static byte[] Latin1(string text) => Encoding.Latin1.GetBytes(text);
}
