namespace IsrProxy.Rules;

/// <summary>The compiled <c>Isr:Routes</c>, in configured order; the first matching rule wins.</summary>
internal sealed class RuleSet
{
    private readonly RouteRule[] _rules;

    public RuleSet(IEnumerable<RouteRule> rules)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules.ToArray();
        Rules = Array.AsReadOnly(_rules);
    }

    public static RuleSet Empty { get; } = new([]);

    public IReadOnlyList<RouteRule> Rules { get; }

    /// <summary>The first rule whose pattern matches the path, else <see cref="RouteRule.Default"/>.</summary>
    /// <remarks>Runs on every request, so it allocates nothing.</remarks>
    public RouteRule Match(ReadOnlySpan<char> path)
    {
        foreach (var rule in _rules)
        {
            if (rule.Pattern.IsMatch(path))
            {
                return rule;
            }
        }

        return RouteRule.Default;
    }
}
