using System.Globalization;
using System.Text;

namespace IsrProxy.Tests.Fixtures;

/// <summary>Token-level reading of one exposition line: names, blanks, values and escapes.</summary>
internal static class PrometheusLineScanner
{
    public static double? ParseValue(string text)
    {
        switch (text.ToLowerInvariant())
        {
            case "nan":
                return double.NaN;
            case "+inf" or "inf" or "+infinity" or "infinity":
                return double.PositiveInfinity;
            case "-inf" or "-infinity":
                return double.NegativeInfinity;
        }

        const NumberStyles style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        return text.Length > 0 && double.TryParse(text, style, CultureInfo.InvariantCulture, out var value) ? value : null;
    }

    public static string Unescape(string text, int number, string line, bool allowQuote)
    {
        if (!text.Contains('\\', StringComparison.Ordinal))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                builder.Append(text[i]);
                continue;
            }

            if (++i >= text.Length)
            {
                throw PrometheusFormatException.AtLine(number, line, "a backslash ends the text without an escape");
            }

            builder.Append(text[i] switch
            {
                '\\' => '\\',
                'n' => '\n',
                '"' when allowQuote => '"',
                _ => throw PrometheusFormatException.AtLine(number, line, $"invalid escape sequence '\\{text[i]}'"),
            });
        }

        return builder.ToString();
    }

    public static string? ReadName(string line, ref int pos, bool allowColon)
    {
        var start = pos;
        while (pos < line.Length && (char.IsAsciiLetter(line[pos]) || line[pos] == '_' || (allowColon && line[pos] == ':') || (pos > start && char.IsAsciiDigit(line[pos]))))
        {
            pos++;
        }

        return pos > start ? line[start..pos] : null;
    }

    public static string ReadToken(string line, ref int pos)
    {
        var start = pos;
        while (pos < line.Length && line[pos] is not (' ' or '\t'))
        {
            pos++;
        }

        return line[start..pos];
    }

    public static bool SkipBlanks(string line, ref int pos)
    {
        var start = pos;
        while (pos < line.Length && line[pos] is ' ' or '\t')
        {
            pos++;
        }

        return pos > start;
    }

    public static void Expect(string line, int number, ref int pos, char expected, string context)
    {
        if (pos >= line.Length || line[pos] != expected)
        {
            var found = pos < line.Length ? $"'{line[pos]}'" : "the end of the line";
            throw PrometheusFormatException.AtLine(number, line, $"expected '{expected}' {context} but found {found}");
        }

        pos++;
    }
}
