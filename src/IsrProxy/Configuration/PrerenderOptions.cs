namespace IsrProxy.Configuration;

/// <summary>The <c>Isr:Prerender</c> section: fetching Prerender and Sitemap paths at startup.</summary>
internal sealed class PrerenderOptions
{
    /// <summary>Prerender fetches in flight at once, 1 to 64.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>Longest that readiness waits for prerendering; the rest continues in the background.</summary>
    public double ReadinessTimeoutSeconds { get; set; } = 30;
}
