namespace IsrProxy.Configuration;

/// <summary>The <c>Isr</c> configuration section. Route rules are compiled from raw configuration by RuleCompiler.</summary>
internal sealed class IsrOptions
{
    public const string Section = "Isr";

    /// <summary>Absolute http or https URL of the origin server; required.</summary>
    public string? Origin { get; set; }

    /// <summary>Shared secret of the purge API; empty turns the API off.</summary>
    public string? Secret { get; set; }

    /// <summary>Nothing is cached: every request goes to the origin, as under <c>next dev</c>.</summary>
    public bool Development { get; set; }

    public StoreOptions Store { get; set; } = new();

    public RegenerationOptions Regeneration { get; set; } = new();

    public PrerenderOptions Prerender { get; set; } = new();

    public ProxyOptions Proxy { get; set; } = new();

    public TagHeaderOptions TagHeaders { get; set; } = new();

    public CompressionOptions Compression { get; set; } = new();

    public NextJsOptions NextJs { get; set; } = new();

    /// <summary>
    /// <c>Isr:Routes</c> as bound; informational only. The rules in force come from RuleCompiler via
    /// RuleSetProvider, which read the raw section so that every shape and unknown key is checked.
    /// </summary>
    public List<RouteRuleOptions> Routes { get; set; } = new();
}
