using System.Buffers;

namespace IsrProxy.Redis;

/// <summary>
/// Restartable RESP2 parser. <see cref="TryRead"/> returns false when the buffer holds only part of a reply ("need
/// more data"): the reader is then left where it started, so the caller keeps the bytes and calls again once more have
/// arrived. Malformed input throws <see cref="RespProtocolException"/>; no other exception escapes for any input.
/// </summary>
internal static class RespReader
{
    public const int MaxBulkLength = 512 * 1024 * 1024;
    public const int MaxArrayLength = 1024 * 1024;
    public const int MaxDepth = 32;

    /// <summary>Simple strings and errors are short status lines; a longer one means the stream is not RESP.</summary>
    public const int MaxLineLength = 64 * 1024;

    /// <summary>"-9223372036854775808" is 20 characters.</summary>
    private const int MaxNumberLength = 20;

    public static bool TryRead(ref SequenceReader<byte> reader, out RespValue value)
    {
        var start = reader.Consumed;
        if (!reader.TryPeek(out var prefix))
        {
            value = default;
            return false;
        }

        if (prefix == (byte)'*')
        {
            // An array is checked for completeness first without building anything, so a reply whose tail has not
            // arrived yet costs a rescan of headers only, never copies of the elements already received.
            if (!TryParse(ref reader, 0, build: false, out _))
            {
                reader.Rewind(reader.Consumed - start);
                value = default;
                return false;
            }

            reader.Rewind(reader.Consumed - start);
        }

        if (TryParse(ref reader, 0, build: true, out value))
        {
            return true;
        }

        reader.Rewind(reader.Consumed - start);
        value = default;
        return false;
    }

    private static bool TryParse(ref SequenceReader<byte> reader, int depth, bool build, out RespValue value)
    {
        value = default;
        var offset = reader.Consumed;
        if (!reader.TryRead(out var prefix))
        {
            return false;
        }

        switch (prefix)
        {
            case (byte)'+':
                return TryReadLine(ref reader, build, error: false, out value);
            case (byte)'-':
                return TryReadLine(ref reader, build, error: true, out value);
            case (byte)':':
                if (!TryReadNumber(ref reader, out var integer))
                {
                    return false;
                }

                value = RespValue.Integer(integer);
                return true;
            case (byte)'$':
                return TryReadBulk(ref reader, build, offset, out value);
            case (byte)'*':
                return TryReadArray(ref reader, depth, build, offset, out value);
            default:
                RespProtocolException.ThrowUnexpectedPrefix(prefix, offset);
                return false;
        }
    }

    private static bool TryReadBulk(ref SequenceReader<byte> reader, bool build, long offset, out RespValue value)
    {
        value = default;
        if (!TryReadNumber(ref reader, out var length))
        {
            return false;
        }

        if (length == -1)
        {
            value = RespValue.BulkString((byte[]?)null);
            return true;
        }

        if (length is < 0 or > MaxBulkLength)
        {
            RespProtocolException.ThrowBadLength('$', length, MaxBulkLength, offset);
        }

        // Checked before touching the payload: an incomplete 10 MB value is reported without copying a byte.
        if (reader.Remaining < length + 2)
        {
            return false;
        }

        byte[]? payload = null;
        if (build)
        {
            payload = new byte[length];
            reader.UnreadSequence.Slice(0, length).CopyTo(payload);
        }

        reader.Advance(length);
        var terminator = reader.Consumed;
        if (!reader.TryRead(out var cr) || !reader.TryRead(out var lf) || cr != (byte)'\r' || lf != (byte)'\n')
        {
            RespProtocolException.ThrowBadTerminator(terminator);
        }

        value = RespValue.BulkString(payload ?? []);
        return true;
    }

    private static bool TryReadArray(ref SequenceReader<byte> reader, int depth, bool build, long offset, out RespValue value)
    {
        value = default;
        if (!TryReadNumber(ref reader, out var count))
        {
            return false;
        }

        if (count == -1)
        {
            value = RespValue.Array(null);
            return true;
        }

        if (count is < 0 or > MaxArrayLength)
        {
            RespProtocolException.ThrowBadLength('*', count, MaxArrayLength, offset);
        }

        if (depth + 1 > MaxDepth)
        {
            RespProtocolException.ThrowTooDeep(MaxDepth, offset);
        }

        // Every element takes at least 3 bytes (":0\r\n" is 4), so a count the buffer cannot hold means "need more"
        // before anything is allocated for it.
        if (reader.Remaining < count * 3)
        {
            return false;
        }

        var items = build ? new RespValue[count] : null;
        for (var i = 0; i < count; i++)
        {
            if (!TryParse(ref reader, depth + 1, build, out var item))
            {
                return false;
            }

            if (items is not null)
            {
                items[i] = item;
            }
        }

        value = RespValue.Array(items ?? []);
        return true;
    }

    private static bool TryReadLine(ref SequenceReader<byte> reader, bool build, bool error, out RespValue value)
    {
        value = default;
        var offset = reader.Consumed;
        if (!reader.TryReadTo(out ReadOnlySequence<byte> line, (byte)'\r', advancePastDelimiter: true))
        {
            if (reader.Remaining > MaxLineLength)
            {
                RespProtocolException.ThrowLineTooLong(reader.Remaining, MaxLineLength, offset);
            }

            return false;
        }

        if (line.Length > MaxLineLength)
        {
            RespProtocolException.ThrowLineTooLong(line.Length, MaxLineLength, offset);
        }

        if (line.PositionOf((byte)'\n') is not null)
        {
            RespProtocolException.ThrowLineFeedInLine(offset);
        }

        if (!reader.TryRead(out var lf))
        {
            return false;
        }

        if (lf != (byte)'\n')
        {
            RespProtocolException.ThrowMissingLineFeed(lf, reader.Consumed - 1);
        }

        var text = build ? line.ToArray() : [];
        value = error ? RespValue.Error(text) : RespValue.SimpleString(text);
        return true;
    }

    /// <summary>Reads an optionally negative decimal number terminated by CRLF.</summary>
    private static bool TryReadNumber(ref SequenceReader<byte> reader, out long value)
    {
        value = 0;
        var offset = reader.Consumed;
        var negative = false;
        var length = 0;
        var digits = 0;
        while (true)
        {
            if (!reader.TryRead(out var b))
            {
                return false;
            }

            if (b == (byte)'\r')
            {
                if (!reader.TryRead(out var lf))
                {
                    return false;
                }

                if (lf != (byte)'\n')
                {
                    RespProtocolException.ThrowMissingLineFeed(lf, reader.Consumed - 1);
                }

                if (digits == 0)
                {
                    RespProtocolException.ThrowEmptyNumber(offset);
                }

                return true;
            }

            if (++length > MaxNumberLength)
            {
                RespProtocolException.ThrowNumberTooLong(offset, MaxNumberLength);
            }

            if (b == (byte)'-' && length == 1)
            {
                negative = true;
                continue;
            }

            if (b is < (byte)'0' or > (byte)'9')
            {
                RespProtocolException.ThrowNotDigit(b, reader.Consumed - 1);
            }

            digits++;
            try
            {
                // Accumulating on the negative side lets long.MinValue through without a special case.
                value = negative ? checked((value * 10) - (b - '0')) : checked((value * 10) + (b - '0'));
            }
            catch (OverflowException)
            {
                RespProtocolException.ThrowNumberOverflow(offset);
            }
        }
    }
}
