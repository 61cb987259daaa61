namespace IsrProxy.Rules;

/// <summary>The compiled <c>Isr:Routes</c>, in configured order; the first matching rule wins.</summary>
internal sealed class RuleSet
{
    private readonly RouteRule[] _rules;

    /// <param name="rules">The configured rules, in order.</param>
    /// <param name="unmatched">The rule of paths none of them matches; <see cref="RouteRule.Default"/> when null.</param>
    public RuleSet(IEnumerable<RouteRule> rules, RouteRule? unmatched = null)
    {
        ArgumentNullException.ThrowIfNull(rules);
        _rules = rules.ToArray();
        Rules = Array.AsReadOnly(_rules);
        Unmatched = unmatched ?? RouteRule.Default;
    }

    public static RuleSet Empty { get; } = new([]);

    public IReadOnlyList<RouteRule> Rules { get; }

    /// <summary>The rule of paths no configured rule matches (<see cref="RouteRule.IsDefault"/>), with <c>Isr:Proxy:IgnoreCookies</c>.</summary>
    public RouteRule Unmatched { get; }

    /// <summary>The first rule whose pattern matches the path, else <see cref="Unmatched"/>.</summary>
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

        return Unmatched;
    }
}
