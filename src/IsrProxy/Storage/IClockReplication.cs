namespace IsrProxy.Storage;

/// <summary>
/// Carries this replica's <see cref="TagClock"/> stamps (purges, unsafe-method invalidations) to the replicas sharing its
/// store. Stamps are taken from <see cref="TagClock.Marked"/> as they are made; a purge waits for them to be written.
/// </summary>
internal interface IClockReplication
{
    /// <summary>
    /// Waits until every stamp made so far reached the shared store. False when it could not be reached: the stamps stay
    /// queued, and are written and published when it is back.
    /// </summary>
    Task<bool> FlushAsync(CancellationToken ct);
}
