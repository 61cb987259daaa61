using System.Buffers;
using System.Globalization;
using System.Text;

namespace IsrProxy.Redis;

/// <summary>Encodes commands as RESP arrays of bulk strings, the only form Redis accepts from clients.</summary>
internal static class RespWriter
{
    /// <summary>Room for a type byte, "-9223372036854775808" and CRLF.</summary>
    private const int MaxHeaderLength = 23;

    /// <summary>Strings up to this size are encoded in one contiguous span; longer ones in chunks.</summary>
    private const int ContiguousTextLimit = 4096;

    public static void WriteCommand(IBufferWriter<byte> writer, in RedisCommand command)
    {
        var args = command.Args.Span;
        WriteHeader(writer, (byte)'*', 1 + args.Length);
        WriteText(writer, command.Name);
        foreach (ref readonly var arg in args)
        {
            switch (arg.Kind)
            {
                case RedisArgKind.Text:
                    WriteText(writer, arg.Text);
                    break;
                case RedisArgKind.Bytes:
                    WriteBytes(writer, arg.Bytes.Span);
                    break;
                default:
                    WriteInteger(writer, arg.Integer);
                    break;
            }
        }
    }

    private static void WriteText(IBufferWriter<byte> writer, string text)
    {
        var length = Encoding.UTF8.GetByteCount(text);
        WriteHeader(writer, (byte)'$', length);
        if (length <= ContiguousTextLimit)
        {
            var span = writer.GetSpan(length);
            Encoding.UTF8.GetBytes(text, span);
            writer.Advance(length);
        }
        else
        {
            Encoding.UTF8.GetBytes(text.AsSpan(), writer);
        }

        WriteCrLf(writer);
    }

    private static void WriteBytes(IBufferWriter<byte> writer, ReadOnlySpan<byte> bytes)
    {
        WriteHeader(writer, (byte)'$', bytes.Length);
        writer.Write(bytes);
        WriteCrLf(writer);
    }

    private static void WriteInteger(IBufferWriter<byte> writer, long value)
    {
        Span<byte> digits = stackalloc byte[20];
        value.TryFormat(digits, out var length, default, CultureInfo.InvariantCulture);
        WriteHeader(writer, (byte)'$', length);
        writer.Write(digits[..length]);
        WriteCrLf(writer);
    }

    private static void WriteHeader(IBufferWriter<byte> writer, byte prefix, long count)
    {
        var span = writer.GetSpan(MaxHeaderLength);
        span[0] = prefix;
        count.TryFormat(span[1..], out var written, default, CultureInfo.InvariantCulture);
        span[1 + written] = (byte)'\r';
        span[2 + written] = (byte)'\n';
        writer.Advance(3 + written);
    }

    private static void WriteCrLf(IBufferWriter<byte> writer)
    {
        var span = writer.GetSpan(2);
        span[0] = (byte)'\r';
        span[1] = (byte)'\n';
        writer.Advance(2);
    }
}
