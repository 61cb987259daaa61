namespace IsrProxy.Caching.Http;

// Tags from origin response headers, one parser per dialect. Every parser adds to `into` the trimmed, non-empty tags
// in order of first appearance, skipping any already in `into` (ordinal, case-sensitive), and drops rather than
// rejects a tag longer than MaxTagLength or containing a control character. Because parsers share `into`, the cap of
// MaxTagsPerResponse applies to all tag headers of a response together; tags past it are dropped.
internal static class TagHeaders
{
    public const int MaxTagLength = 256;
    public const int MaxTagsPerResponse = 256;

    // Cloudflare style: `Cache-Tag: a, b`.
    public static void ParseCacheTag(string? value, ICollection<string> into) => AddSeparated(value, ",", into);

    // Fastly style: `Surrogate-Key: a b`. Runs of spaces or tabs separate keys.
    public static void ParseSurrogateKey(string? value, ICollection<string> into) => AddSeparated(value, HttpSyntax.Ows, into);

    // RFC 9875 `Cache-Groups: "a", "b"`: a Structured Fields List of Strings. Members of other types are ignored;
    // a field that is not a valid List is ignored entirely.
    public static void ParseCacheGroups(string? value, ICollection<string> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (string.IsNullOrWhiteSpace(value))
        {
            return;
        }

        var members = new List<StructuredItem>();
        if (!StructuredFieldParser.TryParseList(value, members))
        {
            return;
        }

        foreach (var member in members)
        {
            if (member.Kind == StructuredItemKind.String && member.Text is not null)
            {
                TryAdd(member.Text, into);
            }
        }
    }

    // Next.js: `x-next-cache-tags: a,b`.
    public static void ParseNextCacheTags(string? value, ICollection<string> into) => AddSeparated(value, ",", into);

    private static void AddSeparated(string? value, string separators, ICollection<string> into)
    {
        ArgumentNullException.ThrowIfNull(into);
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        foreach (var range in value.AsSpan().SplitAny(separators))
        {
            if (into.Count >= MaxTagsPerResponse)
            {
                return;
            }

            TryAdd(value.AsSpan()[range], into);
        }
    }

    private static void TryAdd(ReadOnlySpan<char> candidate, ICollection<string> into)
    {
        var tag = candidate.Trim(HttpSyntax.Ows);
        if (tag.IsEmpty || tag.Length > MaxTagLength || into.Count >= MaxTagsPerResponse)
        {
            return;
        }

        foreach (var c in tag)
        {
            if (char.IsControl(c))
            {
                return;
            }
        }

        var text = tag.ToString();
        if (!into.Contains(text))
        {
            into.Add(text);
        }
    }
}
