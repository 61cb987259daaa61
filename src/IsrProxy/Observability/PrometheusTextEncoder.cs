using System.Buffers;
using System.Globalization;
using System.Text;

namespace IsrProxy.Observability;

/// <summary>UTF-8 primitives of the text exposition format, written straight into an <see cref="IBufferWriter{T}"/>.</summary>
internal static class PrometheusTextEncoder
{
    // Strings are encoded in slices so no single request for space grows with the length of one label value.
    private const int CharsPerSlice = 512;
    private const int MaxNumberBytes = 32;

    public static void WriteBytes(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        var span = output.GetSpan(bytes.Length);
        bytes.CopyTo(span);
        output.Advance(bytes.Length);
    }

    /// <summary>Writes a name that is already restricted to ASCII name characters.</summary>
    public static void WriteName(IBufferWriter<byte> output, string name) => WriteUtf8(output, name);

    public static void WriteUtf8(IBufferWriter<byte> output, ReadOnlySpan<char> text)
    {
        while (!text.IsEmpty)
        {
            var length = Math.Min(text.Length, CharsPerSlice);
            if (length < text.Length && char.IsHighSurrogate(text[length - 1]))
            {
                // Keep a surrogate pair in one slice so it encodes as one scalar, not two replacement characters.
                length--;
            }

            var slice = text[..length];
            var span = output.GetSpan(Encoding.UTF8.GetMaxByteCount(slice.Length));
            output.Advance(Encoding.UTF8.GetBytes(slice, span));
            text = text[length..];
        }
    }

    /// <summary>
    /// Writes text with the exposition escapes: <c>\\</c> and <c>\n</c> always (HELP text), and <c>\"</c>
    /// as well inside label values.
    /// </summary>
    public static void WriteEscaped(IBufferWriter<byte> output, string text, bool escapeQuotes)
    {
        var start = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var escape = text[i] switch
            {
                '\\' => "\\\\"u8,
                '\n' => "\\n"u8,
                '"' when escapeQuotes => "\\\""u8,
                _ => default,
            };

            if (escape.IsEmpty)
            {
                continue;
            }

            WriteUtf8(output, text.AsSpan(start, i - start));
            WriteBytes(output, escape);
            start = i + 1;
        }

        WriteUtf8(output, text.AsSpan(start));
    }

    public static void WriteDouble(IBufferWriter<byte> output, double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            WriteBytes(output, "+Inf"u8);
        }
        else if (double.IsNegativeInfinity(value))
        {
            WriteBytes(output, "-Inf"u8);
        }
        else if (double.IsNaN(value))
        {
            WriteBytes(output, "NaN"u8);
        }
        else
        {
            var span = output.GetSpan(MaxNumberBytes);
            if (!value.TryFormat(span, out var written, "R", CultureInfo.InvariantCulture))
            {
                throw new InvalidOperationException($"The value {value.ToString("R", CultureInfo.InvariantCulture)} did not fit in {span.Length} bytes.");
            }

            output.Advance(written);
        }
    }

    public static void WriteInt64(IBufferWriter<byte> output, long value)
    {
        var span = output.GetSpan(MaxNumberBytes);
        if (!value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException($"The value {value} did not fit in {span.Length} bytes.");
        }

        output.Advance(written);
    }
}
