using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace IsrProxy.Caching.Http;

// RFC 9651 §4.2.3 bare items: Integer, Decimal, String, Token, Byte Sequence, Boolean, Date and Display String.
// Each reader starts at `position` and, on success, leaves it just past the item.
internal static class StructuredBareItemReader
{
    private const int MaxIntegerDigits = 15;
    private const int MaxDecimalIntegerDigits = 12;
    private const int MaxDecimalFractionDigits = 3;

    public static bool TryRead(ReadOnlySpan<char> input, ref int position, out StructuredItem item)
    {
        item = default;
        if (position >= input.Length)
        {
            return false;
        }

        var c = input[position];
        if (c == '-' || char.IsAsciiDigit(c))
        {
            return TryReadNumber(input, ref position, out item);
        }

        if (char.IsAsciiLetter(c) || c == '*')
        {
            item = ReadToken(input, ref position);
            return true;
        }

        return c switch
        {
            '"' => TryReadString(input, ref position, out item),
            ':' => TryReadByteSequence(input, ref position, out item),
            '?' => TryReadBoolean(input, ref position, out item),
            '@' => TryReadDate(input, ref position, out item),
            '%' => TryReadDisplayString(input, ref position, out item),
            _ => false,
        };
    }

    private static bool TryReadNumber(ReadOnlySpan<char> input, ref int position, out StructuredItem item)
    {
        item = default;
        var start = position;
        if (input[position] == '-')
        {
            position++;
        }

        if (position >= input.Length || !char.IsAsciiDigit(input[position]))
        {
            return false;
        }

        var digitsStart = position;
        var dot = -1;
        while (position < input.Length)
        {
            var c = input[position];
            if (char.IsAsciiDigit(c))
            {
                position++;
            }
            else if (dot < 0 && c == '.')
            {
                if (position - digitsStart > MaxDecimalIntegerDigits)
                {
                    return false;
                }

                dot = position;
                position++;
            }
            else
            {
                break;
            }

            // The length limit counts the dot of a Decimal as one of its characters.
            var length = position - digitsStart;
            if ((dot < 0 && length > MaxIntegerDigits) || (dot >= 0 && length > MaxIntegerDigits + 1))
            {
                return false;
            }
        }

        var text = input[start..position];
        if (dot < 0)
        {
            item = new StructuredItem(StructuredItemKind.Integer, null, long.Parse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture), false);
            return true;
        }

        var fractionDigits = position - dot - 1;
        if (fractionDigits is 0 or > MaxDecimalFractionDigits)
        {
            return false;
        }

        item = new StructuredItem(StructuredItemKind.Decimal, text.ToString(), 0, false);
        return true;
    }

    private static bool TryReadString(ReadOnlySpan<char> input, ref int position, out StructuredItem item)
    {
        item = default;
        position++;
        var text = new StringBuilder();
        while (position < input.Length)
        {
            var c = input[position++];
            if (c == '\\')
            {
                if (position >= input.Length || input[position] is not ('"' or '\\'))
                {
                    return false;
                }

                text.Append(input[position++]);
            }
            else if (c == '"')
            {
                item = new StructuredItem(StructuredItemKind.String, text.ToString(), 0, false);
                return true;
            }
            else if (c is < '\x20' or > '\x7e')
            {
                return false;
            }
            else
            {
                text.Append(c);
            }
        }

        return false;
    }

    private static StructuredItem ReadToken(ReadOnlySpan<char> input, ref int position)
    {
        var start = position++;
        while (position < input.Length && HttpSyntax.IsStructuredTokenChar(input[position]))
        {
            position++;
        }

        return new StructuredItem(StructuredItemKind.Token, input[start..position].ToString(), 0, false);
    }

    private static bool TryReadByteSequence(ReadOnlySpan<char> input, ref int position, out StructuredItem item)
    {
        item = default;
        var start = ++position;
        while (position < input.Length && input[position] != ':')
        {
            if (!(char.IsAsciiLetterOrDigit(input[position]) || input[position] is '+' or '/' or '='))
            {
                return false;
            }

            position++;
        }

        if (position >= input.Length)
        {
            return false;
        }

        item = new StructuredItem(StructuredItemKind.ByteSequence, input[start..position].ToString(), 0, false);
        position++;
        return true;
    }

    private static bool TryReadBoolean(ReadOnlySpan<char> input, ref int position, out StructuredItem item)
    {
        item = default;
        position++;
        if (position >= input.Length || input[position] is not ('0' or '1'))
        {
            return false;
        }

        item = new StructuredItem(StructuredItemKind.Boolean, null, 0, input[position++] == '1');
        return true;
    }

    private static bool TryReadDate(ReadOnlySpan<char> input, ref int position, out StructuredItem item)
    {
        item = default;
        position++;
        if (position >= input.Length || !TryReadNumber(input, ref position, out var number) || number.Kind != StructuredItemKind.Integer)
        {
            return false;
        }

        item = new StructuredItem(StructuredItemKind.Date, null, number.Integer, false);
        return true;
    }

    // Display Strings carry percent-encoded UTF-8 with lowercase hex; invalid UTF-8 fails the field.
    private static bool TryReadDisplayString(ReadOnlySpan<char> input, ref int position, out StructuredItem item)
    {
        item = default;
        position++;
        if (position >= input.Length || input[position] != '"')
        {
            return false;
        }

        position++;
        var bytes = new List<byte>();
        while (position < input.Length)
        {
            var c = input[position++];
            if (c is < '\x20' or > '\x7e')
            {
                return false;
            }

            if (c == '"')
            {
                var utf8 = bytes.ToArray();
                if (!Utf8.IsValid(utf8))
                {
                    return false;
                }

                item = new StructuredItem(StructuredItemKind.DisplayString, Encoding.UTF8.GetString(utf8), 0, false);
                return true;
            }

            if (c != '%')
            {
                bytes.Add((byte)c);
                continue;
            }

            if (position + 2 > input.Length || !IsLowerHex(input[position]) || !IsLowerHex(input[position + 1]))
            {
                return false;
            }

            bytes.Add((byte)((HexValue(input[position]) << 4) | HexValue(input[position + 1])));
            position += 2;
        }

        return false;
    }

    private static bool IsLowerHex(char c) => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f';

    private static int HexValue(char c) => char.IsAsciiDigit(c) ? c - '0' : c - 'a' + 10;
}
