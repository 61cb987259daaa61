using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.CommandLine;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.Configuration.Memory;

namespace IsrProxy.Rules;

/// <summary>
/// Where the route rules come from. .NET merges configuration sources key by key, so rules given in two sources (a
/// file and environment variables, say) would silently become one list, rule 0 of one with rule 3 of the other, or one
/// rule with keys of both. The rules must therefore come from one source; this names it, or says which sources mixed.
/// </summary>
internal static class RuleSources
{
    /// <summary>
    /// The source of <paramref name="routes"/> (null when there are no rules or the configuration cannot tell), or an
    /// error in <paramref name="errors"/> when more than one source gives rules.
    /// </summary>
    public static string? Find(IConfiguration configuration, IConfigurationSection routes, List<string> errors)
    {
        if (configuration is not IConfigurationRoot root)
        {
            return null;
        }

        var winners = root.Providers.Reverse().ToArray();                // the last source that has a key gives its value
        var rulesBySource = new Dictionary<IConfigurationProvider, SortedSet<int>>();
        foreach (var (key, value) in routes.AsEnumerable())
        {
            if (value is null || key.Length <= routes.Path.Length || Array.Find(winners, p => p.TryGet(key, out _)) is not { } source)
            {
                continue;
            }

            var relative = key[(routes.Path.Length + 1)..];
            var index = relative.Split(ConfigurationPath.KeyDelimiter)[0];
            if (!rulesBySource.TryGetValue(source, out var rules))
            {
                rulesBySource[source] = rules = [];
            }

            rules.Add(int.TryParse(index, out var n) ? n : -1);
        }

        if (rulesBySource.Count > 1)
        {
            var parts = rulesBySource.Select(p => $"{Name(p.Key)} (rules {string.Join(", ", p.Value)})");
            errors.Add(
                $"{routes.Path}: rules are given by more than one configuration source: {string.Join("; ", parts)}. "
                + "Sources are merged key by key, so these would mix into rules nobody wrote: give every rule in one source.");
            return null;
        }

        return rulesBySource.Keys.Select(Name).FirstOrDefault();
    }

    /// <summary>A configuration source as a user knows it.</summary>
    public static string Name(IConfigurationProvider provider) => provider switch
    {
        JsonConfigurationProvider json => $"the file {json.Source.Path}",
        EnvironmentVariablesConfigurationProvider => "environment variables",
        CommandLineConfigurationProvider => "the command line",
        MemoryConfigurationProvider => "in-memory settings",
        _ => provider.ToString() ?? provider.GetType().Name,
    };
}
