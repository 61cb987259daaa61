using IsrProxy.Configuration;
using Microsoft.Extensions.Options;

namespace IsrProxy.NextJs;

/// <summary>
/// Whether the origin is <c>next start</c>, and the build's preview mode id: from <c>Isr:NextJs:PreviewModeId</c>, else
/// learned from <c>POST /_revalidate/next/build</c> (a new build replaces it). The id is a credential of the site:
/// it goes to the origin only, never to a log or a client.
/// </summary>
internal sealed class NextJsState(IOptions<IsrOptions> options)
{
    private readonly string? _configured = string.IsNullOrEmpty(options.Value.NextJs.PreviewModeId) ? null : options.Value.NextJs.PreviewModeId;
    private string? _learned;
    private string? _buildId;

    public bool Enabled { get; } = options.Value.NextJs.Enabled;

    /// <summary>The id to send as <c>x-prerender-revalidate</c>, or null while none is known.</summary>
    public string? PreviewModeId => _configured ?? Volatile.Read(ref _learned);

    /// <summary>The build last announced, for the admin's eyes.</summary>
    public string? BuildId => Volatile.Read(ref _buildId);

    public void Learn(string? buildId, string previewModeId)
    {
        Volatile.Write(ref _buildId, buildId);
        Volatile.Write(ref _learned, previewModeId);
    }
}
