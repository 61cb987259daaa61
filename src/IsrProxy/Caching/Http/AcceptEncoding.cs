namespace IsrProxy.Caching.Http;

// Reduces a client's Accept-Encoding to the one coding this cache asks the origin for, so the cache key has at most
// three variants: "br", "gzip" or "" (identity).
internal static class AcceptEncoding
{
    private const int QOne = 1000;

    // "br" when br is acceptable (q > 0, listed or through "*"), else "gzip" when gzip, x-gzip or "*" is acceptable,
    // else "". br wins whenever acceptable, whatever the relative q-values: both are fine for the client and br is
    // smaller. A coding listed explicitly overrides "*" ("br;q=0, *" excludes br only); a coding listed twice takes
    // its lowest q; an entry with a malformed q-value is ignored. An absent or empty field gives "": RFC 9110
    // §12.5.3 lets an absent field mean "anything", but a client that sent none is not assumed to decode br.
    public static string Normalize(string? acceptEncoding)
    {
        var (br, gzip) = Acceptable(acceptEncoding);
        return br ? "br" : gzip ? "gzip" : string.Empty;
    }

    /// <summary>Whether the client accepts br and gzip (same rules as <see cref="Normalize"/>).</summary>
    public static (bool Br, bool Gzip) Acceptable(string? acceptEncoding)
    {
        if (string.IsNullOrWhiteSpace(acceptEncoding))
        {
            return (false, false);
        }

        int? br = null, gzip = null, xGzip = null, any = null;
        var value = acceptEncoding.AsSpan();
        foreach (var elementRange in value.Split(','))
        {
            var element = value[elementRange];
            var semicolon = element.IndexOf(';');
            var coding = (semicolon < 0 ? element : element[..semicolon]).Trim(HttpSyntax.Ows);
            if (coding.IsEmpty || !TryReadQuality(semicolon < 0 ? [] : element[(semicolon + 1)..], out var q))
            {
                continue;
            }

            if (coding.Equals("br", StringComparison.OrdinalIgnoreCase))
            {
                br = Lowest(br, q);
            }
            else if (coding.Equals("gzip", StringComparison.OrdinalIgnoreCase))
            {
                gzip = Lowest(gzip, q);
            }
            else if (coding.Equals("x-gzip", StringComparison.OrdinalIgnoreCase))
            {
                xGzip = Lowest(xGzip, q);
            }
            else if (coding is "*")
            {
                any = Lowest(any, q);
            }
        }

        return ((br ?? any ?? 0) > 0, (gzip ?? xGzip ?? any ?? 0) > 0);
    }

    // Parameters after the coding; the q parameter's weight in thousandths (1000 when absent).
    private static bool TryReadQuality(ReadOnlySpan<char> parameters, out int quality)
    {
        quality = QOne;
        foreach (var range in parameters.Split(';'))
        {
            var parameter = parameters[range].Trim(HttpSyntax.Ows);
            var equals = parameter.IndexOf('=');
            if (equals < 0 || !parameter[..equals].Trim(HttpSyntax.Ows).Equals("q", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (!TryParseQValue(parameter[(equals + 1)..].Trim(HttpSyntax.Ows), out quality))
            {
                return false;
            }
        }

        return true;
    }

    // RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ).
    private static bool TryParseQValue(ReadOnlySpan<char> text, out int thousandths)
    {
        thousandths = 0;
        if (text.IsEmpty || text[0] is not ('0' or '1'))
        {
            return false;
        }

        var whole = text[0] - '0';
        var fraction = 0;
        if (text.Length > 1)
        {
            if (text[1] != '.' || text.Length > 5)
            {
                return false;
            }

            var digits = text[2..];
            for (var i = 0; i < 3; i++)
            {
                var digit = 0;
                if (i < digits.Length)
                {
                    if (!char.IsAsciiDigit(digits[i]))
                    {
                        return false;
                    }

                    digit = digits[i] - '0';
                }

                fraction = (fraction * 10) + digit;
            }
        }

        if (whole == 1 && fraction != 0)
        {
            return false;
        }

        thousandths = (whole * QOne) + fraction;
        return true;
    }

    private static int Lowest(int? current, int candidate) => current is null ? candidate : Math.Min(current.Value, candidate);
}
