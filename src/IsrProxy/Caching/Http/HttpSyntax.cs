using IsrProxy.Rules;

namespace IsrProxy.Caching.Http;

// Character classes of RFC 9110 §5.6 and RFC 9651 §3.3.4, shared by the header parsers.
internal static class HttpSyntax
{
    // Optional whitespace (RFC 9110 §5.6.3): SP and HTAB.
    public const string Ows = " \t";

    // RFC 9111 §1.2.2: a delta-seconds past 2^31 is taken as 2^31.
    public const long MaxDeltaSeconds = 2147483648;

    // The token grammar is defined once, in HttpToken.
    public static bool IsTchar(char c) => HttpToken.IsChar(c);

    // What the proxy itself puts in or accepts in a field value: visible ASCII, space and tab (RFC 9110 §5.5 without
    // obs-text), so no control character, bare CR or LF included, and nothing above 0x7E.
    public static bool IsFieldValueChar(char c) => c is '\t' or (>= ' ' and < '\x7F');

    public static bool IsToken(ReadOnlySpan<char> value) => HttpToken.IsValid(value);

    // A Structured Fields token is stricter at the start and laxer after it than an HTTP token.
    public static bool IsStructuredToken(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || !(char.IsAsciiLetter(value[0]) || value[0] == '*'))
        {
            return false;
        }

        foreach (var c in value[1..])
        {
            if (!IsStructuredTokenChar(c))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsStructuredTokenChar(char c) => IsTchar(c) || c is ':' or '/';

    // RFC 9111 §1.2.2: delta-seconds is 1*DIGIT, capped at MaxDeltaSeconds. A sign or any other character makes it invalid.
    public static long? ParseDeltaSeconds(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty)
        {
            return null;
        }

        long result = 0;
        foreach (var c in value)
        {
            if (!char.IsAsciiDigit(c))
            {
                return null;
            }

            result = Math.Min(MaxDeltaSeconds, (result * 10) + (c - '0'));
        }

        return result;
    }
}
