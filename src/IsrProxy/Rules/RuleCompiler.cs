using System.Collections.Frozen;
using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace IsrProxy.Rules;

/// <summary>
/// Turns <c>Isr:Routes</c> into a <see cref="RuleSet"/>. The only parser of route rules: startup validation and
/// reload both come here, so they report the same messages. Reads the raw configuration rather than bound
/// options because several keys take more than one shape (<c>Revalidate: false | 60</c>,
/// <c>Query: "ignore" | ["page"]</c>) and unknown keys must be reported, which binding would silently drop.
/// </summary>
internal static partial class RuleCompiler
{
    private const string Match = "Match";
    private const string Revalidate = "Revalidate";
    private const string Dynamic = "Dynamic";
    private const string Fallback = "Fallback";
    private const string Tags = "Tags";
    private const string Prerender = "Prerender";
    private const string Sitemap = "Sitemap";
    private const string MaxDuration = "MaxDuration";
    private const string NotFoundRevalidate = "NotFoundRevalidate";
    private const string IgnoreOriginCacheControl = "IgnoreOriginCacheControl";
    private const string MaxStale = "MaxStale";
    private const string Query = "Query";
    private const string Vary = "Vary";
    private const string IgnoreCookies = "IgnoreCookies";

    /// <summary>Every key a route rule may have, in documentation order.</summary>
    public static IReadOnlyList<string> KnownKeys { get; } = Array.AsReadOnly(
    [
        Match, Revalidate, Dynamic, Fallback, Tags, Prerender, Sitemap, MaxDuration, NotFoundRevalidate,
        IgnoreOriginCacheControl, MaxStale, Query, Vary, IgnoreCookies,
    ]);

    // Configuration keys are case-insensitive everywhere else, so they are here too.
    private static readonly FrozenSet<string> KnownKeySet = KnownKeys.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private static readonly string KnownKeyList = string.Join(", ", KnownKeys);

    /// <summary>
    /// Compiles every rule under <paramref name="routes"/> (normally <c>Isr:Routes</c>), adding one message to
    /// <paramref name="errors"/> per problem found, with no early return. A rule with any error is left out of
    /// the result; callers must not use the result when errors were added.
    /// </summary>
    /// <summary>
    /// The rule of paths no configured rule matches: <see cref="RouteRule.Default"/>'s meaning, with the cookies
    /// <c>IgnoreCookies</c> of <paramref name="proxy"/> (the <c>Isr:Proxy</c> section) names.
    /// </summary>
    public static RouteRule CompileUnmatched(IConfigurationSection proxy, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(proxy);
        ArgumentNullException.ThrowIfNull(errors);
        var ignoreCookies = ReadIgnoreCookies(proxy, errors);
        return ignoreCookies.Count == 0 ? RouteRule.Default : new RouteRule(-1, "/**", ignoreCookies: ignoreCookies);
    }

    public static RuleSet Compile(IConfigurationSection routes, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(routes);
        ArgumentNullException.ThrowIfNull(errors);

        var children = routes.GetChildren().ToList();
        if (children.Count == 0)
        {
            if (!string.IsNullOrWhiteSpace(routes.Value))
            {
                errors.Add($"{routes.Path}: '{routes.Value}' is not a list of route rules.");
            }

            return RuleSet.Empty;
        }

        var rules = new List<RouteRule>(children.Count);
        foreach (var child in children)
        {
            if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
            {
                errors.Add($"{child.Path}: '{child.Key}' is not a list position; {routes.Path} must be a list of rules.");
                continue;
            }

            if (CompileRule(child, index, errors) is { } rule)
            {
                rules.Add(rule);
            }
        }

        return new RuleSet(rules);
    }

    private static RouteRule? CompileRule(IConfigurationSection rule, int index, ICollection<string> errors)
    {
        var keys = rule.GetChildren().ToList();
        if (keys.Count == 0)
        {
            errors.Add(string.IsNullOrWhiteSpace(rule.Value)
                ? $"{rule.Path}: the rule is empty; it needs at least a Match."
                : $"{rule.Path}: '{rule.Value}' is not a route rule; a rule is an object with at least a Match.");
            return null;
        }

        var errorsBefore = errors.Count;
        foreach (var key in keys)
        {
            if (!KnownKeySet.Contains(key.Key))
            {
                errors.Add($"{rule.Path}: unknown key '{key.Key}'. Known keys: {KnownKeyList}.");
            }
        }

        var match = ReadScalar(rule, Match, errors);
        RoutePattern? pattern = null;
        if (match is null)
        {
            errors.Add($"{KeyPath(rule, Match)}: is required, for example '/blog/{{slug}}'.");
        }
        else if (!RoutePattern.TryParse(match, out pattern, out var patternError))
        {
            errors.Add($"{KeyPath(rule, Match)}: {patternError}");
        }

        var revalidate = ReadRevalidate(rule, Revalidate, errors, out _);
        var notFound = ReadRevalidate(rule, NotFoundRevalidate, errors, out var notFoundIsFalse);
        var dynamic = ReadDynamic(rule, errors);
        var fallback = ReadFallback(rule, errors, out var fallbackText);
        var tags = ReadTags(rule, errors);
        var prerender = ReadPrerender(rule, pattern, errors);
        var sitemap = ReadSitemap(rule, errors);
        var maxDuration = ReadPositiveSeconds(rule, MaxDuration, errors);
        var maxStale = ReadPositiveSeconds(rule, MaxStale, errors);
        var ignoreOriginCacheControl = ReadBoolean(rule, IgnoreOriginCacheControl, errors);
        var (query, queryAllow) = ReadQuery(rule, errors);
        var vary = ReadVary(rule, errors);
        var ignoreCookies = ReadIgnoreCookies(rule, errors);

        if (fallback == FallbackMode.False && prerender.Count == 0 && sitemap is null)
        {
            errors.Add(
                $"{KeyPath(rule, Fallback)}: '{fallbackText}' needs Prerender paths or a Sitemap; without them "
                + $"every path matching '{match}' would answer 404.");
        }

        if (errors.Count > errorsBefore || match is null)
        {
            return null;
        }

        return new RouteRule(
            index,
            match,
            revalidate,
            dynamic,
            fallback,
            tags,
            prerender,
            sitemap,
            maxDuration,
            notFound,
            notFoundIsFalse,
            ignoreOriginCacheControl,
            maxStale,
            query,
            queryAllow,
            vary,
            ignoreCookies);
    }

    /// <summary>A single value, trimmed; null when absent or empty (JSON null, "").</summary>
    private static string? ReadScalar(IConfigurationSection rule, string key, ICollection<string> errors)
    {
        var section = rule.GetSection(key);
        if (section.GetChildren().Any())
        {
            errors.Add($"{KeyPath(rule, key)}: is a list or an object; give a single value.");
            return null;
        }

        var value = section.Value?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>
    /// The items of a list key, each with its full key path; a single value counts as a list of one. Empty when
    /// absent.
    /// </summary>
    private static List<(string Path, string Value)> ReadList(
        IConfigurationSection rule,
        string key,
        ICollection<string> errors)
    {
        var section = rule.GetSection(key);
        var keyPath = KeyPath(rule, key);
        var items = new List<(string Path, string Value)>();
        foreach (var item in section.GetChildren())
        {
            if (item.GetChildren().Any())
            {
                errors.Add($"{keyPath}:{item.Key}: is a list or an object; give a single value.");
                continue;
            }

            items.Add(($"{keyPath}:{item.Key}", item.Value?.Trim() ?? string.Empty));
        }

        if (items.Count == 0 && !string.IsNullOrWhiteSpace(section.Value))
        {
            items.Add((keyPath, section.Value.Trim()));
        }

        return items;
    }

    // Known keys are named as documented, whatever case the configuration used.
    private static string KeyPath(IConfigurationSection rule, string key) => $"{rule.Path}:{key}";
}
