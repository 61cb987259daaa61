using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace IsrProxy.Rules;

internal static partial class RuleCompiler
{
    private const int MaxTagLength = 256;

    /// <summary>
    /// <c>false</c> (null, cache indefinitely), <c>0</c> or seconds. JSON <c>false</c> arrives as "False" and
    /// numbers as text, so both are read from strings.
    /// </summary>
    private static TimeSpan? ReadRevalidate(
        IConfigurationSection rule,
        string key,
        ICollection<string> errors,
        out bool isFalse)
    {
        isFalse = false;
        var value = ReadScalar(rule, key, errors);
        if (value is null)
        {
            return null;
        }

        if (value.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            isFalse = true;
            return null;
        }

        if (Seconds.TryParse(value, out var seconds))
        {
            return seconds;
        }

        errors.Add($"{KeyPath(rule, key)}: '{value}' {SecondsError(value, "is not false, 0 or a number of seconds.")}");
        return null;
    }

    private static TimeSpan? ReadPositiveSeconds(IConfigurationSection rule, string key, ICollection<string> errors)
    {
        var value = ReadScalar(rule, key, errors);
        if (value is null)
        {
            return null;
        }

        if (Seconds.TryParse(value, out var seconds) && seconds > TimeSpan.Zero)
        {
            return seconds;
        }

        errors.Add($"{KeyPath(rule, key)}: '{value}' {SecondsError(value, "is not a positive number of seconds.")}");
        return null;
    }

    private static string SecondsError(string value, string otherwise) =>
        Seconds.IsAboveMax(value)
            ? $"is more than {Seconds.Max.ToString(CultureInfo.InvariantCulture)} seconds."
            : otherwise;

    private static DynamicMode ReadDynamic(IConfigurationSection rule, ICollection<string> errors)
    {
        var value = ReadScalar(rule, Dynamic, errors);
        switch (value?.ToLowerInvariant())
        {
            case null or "auto":
                return DynamicMode.Auto;
            case "force-dynamic":
                return DynamicMode.ForceDynamic;
            case "force-static":
                return DynamicMode.ForceStatic;
            default:
                errors.Add($"{KeyPath(rule, Dynamic)}: '{value}' is not auto, force-dynamic or force-static.");
                return DynamicMode.Auto;
        }
    }

    private static FallbackMode ReadFallback(IConfigurationSection rule, ICollection<string> errors, out string? text)
    {
        text = ReadScalar(rule, Fallback, errors);
        switch (text?.ToLowerInvariant())
        {
            case null or "blocking":
                return FallbackMode.Blocking;
            case "false":
                return FallbackMode.False;
            default:
                errors.Add($"{KeyPath(rule, Fallback)}: '{text}' is not blocking or false.");
                return FallbackMode.Blocking;
        }
    }

    private static bool ReadBoolean(IConfigurationSection rule, string key, ICollection<string> errors)
    {
        var value = ReadScalar(rule, key, errors);
        if (value is null)
        {
            return false;
        }

        if (bool.TryParse(value, out var result))
        {
            return result;
        }

        errors.Add($"{KeyPath(rule, key)}: '{value}' is not true or false.");
        return false;
    }

    private static List<string> ReadTags(IConfigurationSection rule, ICollection<string> errors)
    {
        var tags = new List<string>();
        foreach (var (path, value) in ReadList(rule, Tags, errors))
        {
            var problem = value switch
            {
                "" => "it is empty",
                { Length: > MaxTagLength } => $"it is longer than {MaxTagLength} characters",
                _ when value.Contains(',') => "it contains a comma, which separates tags in tag headers",
                _ when HasControlCharacter(value) => "it contains a control character",
                _ => null,
            };
            if (problem is null)
            {
                tags.Add(value);
            }
            else
            {
                errors.Add($"{path}: '{value}' is not a valid tag: {problem}.");
            }
        }

        return tags;
    }

    private static List<string> ReadPrerender(
        IConfigurationSection rule,
        RoutePattern? pattern,
        ICollection<string> errors)
    {
        var paths = new List<string>();
        foreach (var (path, value) in ReadList(rule, Prerender, errors))
        {
            if (!value.StartsWith('/'))
            {
                errors.Add($"{path}: '{value}' is not a path starting with '/'.");
            }
            else if (value.AsSpan().IndexOfAny('?', '#') >= 0)
            {
                errors.Add($"{path}: '{value}' must not contain '?' or '#'; Prerender lists paths only.");
            }
            else if (HasControlCharacter(value))
            {
                errors.Add($"{path}: '{value}' contains a control character.");
            }
            else if (pattern is not null && !pattern.IsMatch(value))
            {
                errors.Add(
                    $"{path}: '{value}' is not matched by this rule's Match '{pattern.Text}', "
                    + "so this rule would never serve it.");
            }
            else
            {
                paths.Add(value);
            }
        }

        return paths;
    }

    private static string? ReadSitemap(IConfigurationSection rule, ICollection<string> errors)
    {
        var value = ReadScalar(rule, Sitemap, errors);
        if (value is null)
        {
            return null;
        }

        var isOriginPath = value.StartsWith('/') && !value.StartsWith("//", StringComparison.Ordinal);
        var isAbsoluteUrl = Uri.TryCreate(value, UriKind.Absolute, out var uri)
            && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
        if ((isOriginPath || isAbsoluteUrl) && !HasControlCharacter(value))
        {
            return value;
        }

        errors.Add($"{KeyPath(rule, Sitemap)}: '{value}' is not a path starting with '/' or an absolute http or https URL.");
        return null;
    }

    private static (QueryMode Mode, List<string> Allow) ReadQuery(IConfigurationSection rule, ICollection<string> errors)
    {
        if (!rule.GetSection(Query).GetChildren().Any())
        {
            var value = ReadScalar(rule, Query, errors);
            switch (value?.ToLowerInvariant())
            {
                case null or "include":
                    return (QueryMode.Include, []);
                case "ignore":
                    return (QueryMode.Ignore, []);
                default:
                    errors.Add(
                        $"{KeyPath(rule, Query)}: '{value}' is not include, ignore or a list of query parameter names "
                        + "(write a single name as a list: [\"page\"]).");
                    return (QueryMode.Include, []);
            }
        }

        var names = new List<string>();
        foreach (var (path, value) in ReadList(rule, Query, errors))
        {
            if (value.Length == 0 || HasControlCharacter(value))
            {
                errors.Add($"{path}: '{value}' is not a query parameter name.");
            }
            else
            {
                names.Add(value);
            }
        }

        return (QueryMode.Allow, names);
    }

    private static List<string> ReadVary(IConfigurationSection rule, ICollection<string> errors)
    {
        var names = new List<string>();
        foreach (var (path, value) in ReadList(rule, Vary, errors))
        {
            if (!HttpToken.IsValid(value) || value == "*")
            {
                errors.Add($"{path}: '{value}' is not a request header name.");
            }
            else if (value.Equals("Cookie", StringComparison.OrdinalIgnoreCase)
                || value.Equals("Authorization", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add(
                    $"{path}: '{value}' cannot be in Vary: requests carrying it bypass the cache "
                    + "(use IgnoreCookies for cookies that do not change the page).");
            }
            else
            {
                names.Add(value);
            }
        }

        return names;
    }

    private static List<string> ReadIgnoreCookies(IConfigurationSection rule, ICollection<string> errors)
    {
        var names = new List<string>();
        foreach (var (path, value) in ReadList(rule, IgnoreCookies, errors))
        {
            var name = value.EndsWith('*') ? value[..^1] : value;
            if (value == "*" || (HttpToken.IsValid(name) && !name.Contains('*')))
            {
                names.Add(value);
            }
            else
            {
                errors.Add(
                    $"{path}: '{value}' is not a cookie name; a trailing '*' makes it a prefix, as in '_ga*'.");
            }
        }

        return names;
    }

    private static bool HasControlCharacter(string value) => value.Any(char.IsControl);
}
