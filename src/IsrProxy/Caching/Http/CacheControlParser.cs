using System.Globalization;
using System.Text;

namespace IsrProxy.Caching.Http;

// Reads cache directives from Cache-Control (RFC 9111 §5.2 grammar) and from targeted fields such as
// CDN-Cache-Control (RFC 9213: Structured Fields Dictionaries).
internal static class CacheControlParser
{
    // Cache-Control is read leniently, element by element: a malformed element is skipped without losing the others,
    // so a `no-store` next to garbage is still honoured. OWS around the name and the `=` is tolerated, and an argument
    // may be a token or a quoted-string (RFC 9111 §5.2: recipients accept `max-age="5"`).
    public static void ParseCacheControl(string? value, List<CacheDirective> into)
    {
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        var elements = new List<Range>();
        SplitElements(value, elements);
        foreach (var range in elements)
        {
            if (TryParseElement(value.AsSpan()[range], out var directive))
            {
                into.Add(directive);
            }
        }
    }

    // A targeted field counts only when it parses as a Structured Fields Dictionary: RFC 9213 §2.1 says a field that
    // fails to parse is ignored as if absent, and then the next field in the target list (or Cache-Control) applies.
    // Note that Structured Fields keys are lowercase, so `Max-Age=60` makes the field invalid.
    // Directive arguments are typed: delta-seconds must be an Integer (`max-age="60"` or `max-age=1.5` is ignored),
    // and a Boolean false (`no-store=?0`) means the directive is not given.
    // On failure into holds what it held before the call.
    public static bool TryParseTargeted(string? value, List<CacheDirective> into)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var members = new List<KeyValuePair<string, StructuredItem>>();
        if (!StructuredFieldParser.TryParseDictionary(value, members) || members.Count == 0)
        {
            return false;
        }

        foreach (var (name, item) in members)
        {
            switch (item.Kind)
            {
                case StructuredItemKind.Boolean when !item.Boolean:
                    break;
                case StructuredItemKind.Boolean:
                    into.Add(new CacheDirective(name, null, null));
                    break;
                case StructuredItemKind.Integer:
                    into.Add(new CacheDirective(
                        name,
                        item.Integer.ToString(CultureInfo.InvariantCulture),
                        item.Integer >= 0 ? Math.Min(item.Integer, HttpSyntax.MaxDeltaSeconds) : null));
                    break;
                default:
                    into.Add(new CacheDirective(name, item.Text ?? string.Empty, null));
                    break;
            }
        }

        return true;
    }

    // Splits a comma-separated field value into its elements, trimmed of OWS, empty ones dropped. Commas inside
    // quoted-strings (`private="set-cookie, x"`) do not split; an unterminated quoted-string runs to the end.
    public static void SplitElements(string value, List<Range> into)
    {
        var start = 0;
        var inQuotes = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (inQuotes)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '"')
                {
                    inQuotes = false;
                }
            }
            else if (c == '"')
            {
                inQuotes = true;
            }
            else if (c == ',')
            {
                AddTrimmed(value, start, i, into);
                start = i + 1;
            }
        }

        AddTrimmed(value, start, value.Length, into);
    }

    // The directive name of one element (text before `=`, OWS trimmed), whether or not it is a valid token.
    public static ReadOnlySpan<char> ElementName(ReadOnlySpan<char> element)
    {
        var equals = element.IndexOf('=');
        return (equals < 0 ? element : element[..equals]).Trim(HttpSyntax.Ows);
    }

    private static bool TryParseElement(ReadOnlySpan<char> element, out CacheDirective directive)
    {
        directive = default;
        var name = ElementName(element);
        if (!HttpSyntax.IsToken(name))
        {
            return false;
        }

        var equals = element.IndexOf('=');
        if (equals < 0)
        {
            directive = new CacheDirective(name.ToString(), null, null);
            return true;
        }

        var raw = element[(equals + 1)..].Trim(HttpSyntax.Ows);
        var argument = raw.StartsWith('"') && TryUnquote(raw, out var unquoted) ? unquoted : raw.ToString();
        directive = new CacheDirective(name.ToString(), argument, HttpSyntax.ParseDeltaSeconds(argument));
        return true;
    }

    // RFC 9110 §5.6.4 quoted-string with quoted-pair; false when it is unterminated or followed by other text.
    private static bool TryUnquote(ReadOnlySpan<char> quoted, out string text)
    {
        text = string.Empty;
        var builder = new StringBuilder(quoted.Length);
        for (var i = 1; i < quoted.Length; i++)
        {
            var c = quoted[i];
            if (c == '\\' && i + 1 < quoted.Length)
            {
                builder.Append(quoted[++i]);
            }
            else if (c == '"')
            {
                if (i != quoted.Length - 1)
                {
                    return false;
                }

                text = builder.ToString();
                return true;
            }
            else
            {
                builder.Append(c);
            }
        }

        return false;
    }

    private static void AddTrimmed(string value, int start, int end, List<Range> into)
    {
        while (start < end && value[start] is ' ' or '\t')
        {
            start++;
        }

        while (end > start && value[end - 1] is ' ' or '\t')
        {
            end--;
        }

        if (end > start)
        {
            into.Add(new Range(start, end));
        }
    }
}
