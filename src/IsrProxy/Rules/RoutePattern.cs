using System.Diagnostics.CodeAnalysis;

namespace IsrProxy.Rules;

/// <summary>
/// A route rule's <c>Match</c>: <c>/literal</c> segments (ordinal, case-sensitive), <c>{name}</c> or <c>*</c> for
/// exactly one non-empty segment, and, as the last segment only, <c>**</c> or <c>{**name}</c> for any rest,
/// including none. A request path matches with or without one trailing slash.
/// </summary>
internal sealed class RoutePattern
{
    private readonly Segment[] _segments;

    private RoutePattern(string text, Segment[] segments)
    {
        Text = text;
        _segments = segments;
    }

    private enum SegmentKind
    {
        Literal,
        Parameter,
        CatchAll,
    }

    public string Text { get; }

    public static bool TryParse(
        string pattern,
        [NotNullWhen(true)] out RoutePattern? result,
        [NotNullWhen(false)] out string? error)
    {
        result = null;
        if (string.IsNullOrEmpty(pattern))
        {
            error = "the route pattern is empty; it must start with '/', for example '/blog/{slug}'.";
            return false;
        }

        if (pattern[0] != '/')
        {
            error = Invalid(pattern, "it must start with '/'.");
            return false;
        }

        var bad = pattern.AsSpan().IndexOfAny(['?', '#', '\\']);
        if (bad >= 0)
        {
            error = Invalid(pattern, $"'{pattern[bad]}' is not allowed; a pattern matches the path only.");
            return false;
        }

        if (pattern.AsSpan().ContainsAnyInRange('\u0000', '\u001f') || pattern.Contains('\u007f'))
        {
            error = Invalid(pattern, "it contains a control character.");
            return false;
        }

        var body = pattern[1..];

        // "/blog/" means "/blog", as request paths match with or without one trailing slash.
        if (body.Length > 1 && body[^1] == '/')
        {
            body = body[..^1];
        }

        var parts = body.Length == 0 ? [] : body.Split('/');
        var segments = new Segment[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!TryParseSegment(pattern, parts[i], i == parts.Length - 1, out segments[i], out error))
            {
                return false;
            }
        }

        result = new RoutePattern(pattern, segments);
        error = null;
        return true;
    }

    /// <summary>Whether the request path (as ASP.NET gives it, already percent-decoded) matches.</summary>
    public bool IsMatch(ReadOnlySpan<char> path)
    {
        if (path.IsEmpty)
        {
            path = "/";
        }

        if (path[0] != '/')
        {
            return false;
        }

        if (path.Length > 1 && path[^1] == '/')
        {
            path = path[..^1];
        }

        var rest = path[1..];

        // "/" has no segments at all, which only a pattern of no segments or one ending in a catch-all matches.
        var exhausted = rest.IsEmpty;
        foreach (var segment in _segments)
        {
            if (segment.Kind == SegmentKind.CatchAll)
            {
                return true;
            }

            if (exhausted)
            {
                return false;
            }

            ReadOnlySpan<char> current;
            var slash = rest.IndexOf('/');
            if (slash < 0)
            {
                current = rest;
                rest = default;
                exhausted = true;
            }
            else
            {
                current = rest[..slash];
                rest = rest[(slash + 1)..];
            }

            var matched = segment.Kind == SegmentKind.Parameter
                ? !current.IsEmpty
                : current.SequenceEqual(segment.Literal);
            if (!matched)
            {
                return false;
            }
        }

        return exhausted;
    }

    public override string ToString() => Text;

    private static bool TryParseSegment(
        string pattern,
        string part,
        bool isLast,
        out Segment segment,
        [NotNullWhen(false)] out string? error)
    {
        segment = default;
        error = null;
        if (part.Length == 0)
        {
            error = Invalid(pattern, "it has an empty segment ('//').");
            return false;
        }

        if (part is "*")
        {
            segment = new Segment(SegmentKind.Parameter, part);
            return true;
        }

        if (part is "**")
        {
            return TryCatchAll(pattern, part, isLast, out segment, out error);
        }

        if (part[0] == '{' && part[^1] == '}' && part.Length >= 2)
        {
            var inner = part[1..^1];
            var isCatchAll = inner.StartsWith('*');
            var name = inner.TrimStart('*');
            if (inner.Length == 0)
            {
                error = Invalid(pattern, "it has empty braces '{}'; name the parameter, as in '{slug}'.");
                return false;
            }

            if (name.Length == 0 || !IsParameterName(name) || inner.Length - name.Length > 2)
            {
                error = Invalid(
                    pattern,
                    $"'{part}' is not a parameter; write '{{name}}' or '{{**name}}' with letters, digits, '_' or '-' "
                    + "(constraints, defaults and optional parameters are not supported).");
                return false;
            }

            return isCatchAll
                ? TryCatchAll(pattern, part, isLast, out segment, out error)
                : Ok(new Segment(SegmentKind.Parameter, part), out segment);
        }

        if (part.AsSpan().IndexOfAny('{', '}') >= 0)
        {
            error = Invalid(
                pattern,
                $"segment '{part}' mixes text and braces; a parameter must be a whole segment, such as '{{name}}'.");
            return false;
        }

        if (part.Contains('*'))
        {
            error = Invalid(pattern, $"segment '{part}' mixes text and '*'; '*' and '**' must be whole segments.");
            return false;
        }

        segment = new Segment(SegmentKind.Literal, part);
        return true;
    }

    private static bool TryCatchAll(
        string pattern,
        string part,
        bool isLast,
        out Segment segment,
        [NotNullWhen(false)] out string? error)
    {
        if (!isLast)
        {
            segment = default;
            error = Invalid(pattern, $"'{part}' matches any rest of the path, so it must be the last segment.");
            return false;
        }

        error = null;
        return Ok(new Segment(SegmentKind.CatchAll, part), out segment);
    }

    private static bool Ok(Segment value, out Segment segment)
    {
        segment = value;
        return true;
    }

    private static bool IsParameterName(string name)
    {
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }

    private static string Invalid(string pattern, string reason) =>
        $"'{pattern}' is not a valid route pattern: {reason}";

    private readonly record struct Segment(SegmentKind Kind, string Literal);
}
