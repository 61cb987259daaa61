namespace IsrProxy.Purge;

/// <summary>When a purge took effect, and whether it reached the shared store (false: this replica only, for now).</summary>
internal readonly record struct PurgeOutcome(DateTimeOffset At, bool Shared);
