namespace IsrProxy.Storage;

/// <summary>
/// Names in the <see cref="TagClock"/>: a user tag, one exact path, or a path prefix (a subtree). Each kind has its own
/// namespace so that a tag named like a path never collides with the path itself.
/// </summary>
internal static class ClockKeys
{
    public static string Tag(string tag) => "t|" + tag;

    public static string Path(string path) => "p|" + Normalize(path);

    public static string Subtree(string path) => "l|" + Normalize(path);

    /// <summary>The keys that can invalidate an entry at <paramref name="path"/> carrying <paramref name="tags"/>.</summary>
    public static string[] For(string path, IReadOnlyCollection<string> tags)
    {
        var normalized = Normalize(path);
        var keys = new List<string>(tags.Count + 4);
        foreach (var tag in tags)
        {
            keys.Add(Tag(tag));
        }

        keys.Add("p|" + normalized);
        var prefix = normalized;
        while (true)
        {
            keys.Add("l|" + prefix);
            if (prefix.Length <= 1)
            {
                break;
            }

            var slash = prefix.LastIndexOf('/');
            prefix = slash <= 0 ? "/" : prefix[..slash];
        }

        return [.. keys];
    }

    /// <summary>One spelling per path: leading slash, no trailing slash (but for the root).</summary>
    public static string Normalize(string path)
    {
        if (path.Length == 0)
        {
            return "/";
        }

        if (path[0] != '/')
        {
            path = "/" + path;
        }

        return path.Length > 1 && path[^1] == '/' ? path.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/" : path;
    }
}
