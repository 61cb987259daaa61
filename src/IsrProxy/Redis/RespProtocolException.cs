using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace IsrProxy.Redis;

/// <summary>The bytes received are not valid RESP2; the connection that produced them cannot be trusted any more.</summary>
internal sealed class RespProtocolException : RedisException
{
    public RespProtocolException(string message)
        : base(message)
    {
    }

    [DoesNotReturn]
    public static void ThrowUnexpectedPrefix(byte prefix, long offset) =>
        throw new RespProtocolException(
            $"RESP: unexpected type byte {Describe(prefix)} at offset {offset}; expected '+', '-', ':', '$' or '*'.");

    [DoesNotReturn]
    public static void ThrowNotDigit(byte value, long offset) =>
        throw new RespProtocolException($"RESP: number contains {Describe(value)} at offset {offset}; expected a digit.");

    [DoesNotReturn]
    public static void ThrowEmptyNumber(long offset) =>
        throw new RespProtocolException($"RESP: number at offset {offset} has no digits.");

    [DoesNotReturn]
    public static void ThrowNumberTooLong(long offset, int max) =>
        throw new RespProtocolException($"RESP: number at offset {offset} is longer than {max} characters.");

    [DoesNotReturn]
    public static void ThrowNumberOverflow(long offset) =>
        throw new RespProtocolException($"RESP: number at offset {offset} does not fit in 64 bits.");

    [DoesNotReturn]
    public static void ThrowMissingLineFeed(byte value, long offset) =>
        throw new RespProtocolException($"RESP: expected LF after CR at offset {offset}, found {Describe(value)}.");

    [DoesNotReturn]
    public static void ThrowBadTerminator(long offset) =>
        throw new RespProtocolException($"RESP: bulk string payload ending at offset {offset} is not followed by CRLF.");

    [DoesNotReturn]
    public static void ThrowBadLength(char prefix, long length, long max, long offset) =>
        throw new RespProtocolException(
            $"RESP: '{prefix}' length {length} at offset {offset} is invalid; expected -1 (null) or 0..{max}.");

    [DoesNotReturn]
    public static void ThrowTooDeep(int maxDepth, long offset) =>
        throw new RespProtocolException($"RESP: array at offset {offset} is nested deeper than {maxDepth} levels.");

    [DoesNotReturn]
    public static void ThrowLineTooLong(long length, int max, long offset) =>
        throw new RespProtocolException(
            $"RESP: simple string or error at offset {offset} is at least {length} bytes long; the limit is {max}.");

    [DoesNotReturn]
    public static void ThrowLineFeedInLine(long offset) =>
        throw new RespProtocolException($"RESP: simple string or error at offset {offset} contains a bare LF.");

    private static string Describe(byte value) =>
        value is >= 0x20 and < 0x7F
            ? string.Create(CultureInfo.InvariantCulture, $"'{(char)value}' (0x{value:X2})")
            : string.Create(CultureInfo.InvariantCulture, $"0x{value:X2}");
}
