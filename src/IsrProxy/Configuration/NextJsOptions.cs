namespace IsrProxy.Configuration;

/// <summary>
/// <c>Isr:NextJs</c>: the origin is <c>next start</c>, itself an ISR cache. With <see cref="Enabled"/> the proxy and Next
/// behave as one ISR layer: answers Next marks stale are stored stale and fetched again, a purge makes Next render, fills
/// ask for identity and the proxy compresses, and <c>Fallback: false</c> 404s carry the site's own not-found page.
/// </summary>
internal sealed class NextJsOptions
{
    public const int MaxPreviewModeIdLength = 256;

    public bool Enabled { get; set; }

    /// <summary>
    /// The build's <c>preview.previewModeId</c> (from <c>.next/prerender-manifest.json</c>), sent as
    /// <c>x-prerender-revalidate</c> on the fills that follow a purge. Empty: learned from <c>POST /_revalidate/next/build</c>.
    /// </summary>
    public string? PreviewModeId { get; set; }

    /// <summary>How many times a page Next answered STALE is asked for, in all, before the proxy waits for the next request.</summary>
    public int StaleRefetchAttempts { get; set; } = 3;

    /// <summary>The wait before the first new attempt; each later one waits twice as long as the one before.</summary>
    public int StaleRefetchDelayMilliseconds { get; set; } = 250;

    /// <summary>Paths whose tags <c>POST /_revalidate/next/tags</c> remembers, least recently used forgotten first.</summary>
    public int TagRegistryCapacity { get; set; } = 10_000;
}
