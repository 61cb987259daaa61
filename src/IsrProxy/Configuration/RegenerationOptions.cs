namespace IsrProxy.Configuration;

/// <summary>The <c>Isr:Regeneration</c> section: background re-renders of stale pages.</summary>
internal sealed class RegenerationOptions
{
    /// <summary>Background renders in flight at once, 1 to 1024.</summary>
    public int MaxConcurrency { get; set; } = 8;

    /// <summary>Bound of the regeneration queue, 1 to 1,000,000.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Wait before retrying a failed regeneration of the same page.</summary>
    public double BackoffSeconds { get; set; } = 10;

    /// <summary>How long shutdown waits for running regenerations.</summary>
    public double ShutdownTimeoutSeconds { get; set; } = 30;
}
