using System.Diagnostics.CodeAnalysis;
using System.Text;
using IsrProxy.Storage;

namespace IsrProxy.Purge;

internal enum PurgeTarget
{
    /// <summary>One path, all its query and Vary variants.</summary>
    Path,

    /// <summary>A path and every path beneath it (Next's <c>revalidatePath(p, 'layout')</c>).</summary>
    Subtree,

    /// <summary>Every entry carrying a tag.</summary>
    Tag,
}

internal enum PurgeMode
{
    /// <summary>Served stale once more while it regenerates (Next's <c>revalidateTag(tag, 'max')</c>).</summary>
    Stale,

    /// <summary>Gone: the next request waits for the origin (Next's <c>updateTag</c>).</summary>
    Expire,

    /// <summary>Marked stale and regenerated now in the background.</summary>
    Refresh,
}

/// <summary>A validated purge: what it targets and how.</summary>
internal readonly record struct PurgeRequest(PurgeTarget Target, string Value, PurgeMode Mode)
{
    public const int MaxTagBytes = 256;
    public const int MaxPathBytes = 2048;

    /// <summary>The <see cref="TagClock"/> key this purge stamps.</summary>
    public string ClockKey => Target switch
    {
        PurgeTarget.Path => ClockKeys.Path(Value),
        PurgeTarget.Subtree => ClockKeys.Subtree(Value),
        _ => ClockKeys.Tag(Value),
    };

    public static bool TryParsePath(string? path, string? type, string? mode, out PurgeRequest request, [NotNullWhen(false)] out string? error)
    {
        request = default;
        if (!TryParseMode(mode, out var purgeMode, out error))
        {
            return false;
        }

        PurgeTarget target;
        switch (type)
        {
            case null or "" or "page":
                target = PurgeTarget.Path;
                break;
            case "layout":
                target = PurgeTarget.Subtree;
                break;
            default:
                error = $"Unknown type '{Printable(type)}': use 'page' or 'layout'.";
                return false;
        }

        if (string.IsNullOrEmpty(path))
        {
            error = "The path is empty (the root is /_revalidate/path/%2F).";
            return false;
        }

        // A catch-all route value keeps encoded slashes; "%2F" alone names the root.
        var normalized = ClockKeys.Normalize(path.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase));
        if (!IsValidText(normalized, MaxPathBytes, "path", out error))
        {
            return false;
        }

        request = new PurgeRequest(target, normalized, purgeMode);
        return true;
    }

    public static bool TryParseTag(string? tag, string? mode, out PurgeRequest request, [NotNullWhen(false)] out string? error)
    {
        request = default;
        if (!TryParseMode(mode, out var purgeMode, out error))
        {
            return false;
        }

        if (string.IsNullOrEmpty(tag))
        {
            error = "The tag is empty.";
            return false;
        }

        if (!IsValidText(tag, MaxTagBytes, "tag", out error))
        {
            return false;
        }

        request = new PurgeRequest(PurgeTarget.Tag, tag, purgeMode);
        return true;
    }

    private static bool TryParseMode(string? mode, out PurgeMode purgeMode, [NotNullWhen(false)] out string? error)
    {
        error = null;
        switch (mode)
        {
            case null or "" or "stale" or "max":
                purgeMode = PurgeMode.Stale;
                return true;
            case "expire":
                purgeMode = PurgeMode.Expire;
                return true;
            case "refresh":
                purgeMode = PurgeMode.Refresh;
                return true;
            default:
                purgeMode = default;
                error = $"Unknown mode '{Printable(mode)}': use 'stale', 'expire' or 'refresh'.";
                return false;
        }
    }

    private static bool IsValidText(string value, int maxBytes, string what, [NotNullWhen(false)] out string? error)
    {
        error = null;
        if (Encoding.UTF8.GetByteCount(value) > maxBytes)
        {
            error = $"The {what} is longer than {maxBytes} bytes.";
            return false;
        }

        if (value.Any(char.IsControl))
        {
            error = $"The {what} contains a control character.";
            return false;
        }

        return true;
    }

    // An error message repeats the client's value only in a bounded, printable form.
    private static string Printable(string value)
    {
        var clean = new string([.. value.Take(64).Select(c => char.IsControl(c) ? '?' : c)]);
        return value.Length > 64 ? clean + "…" : clean;
    }
}
