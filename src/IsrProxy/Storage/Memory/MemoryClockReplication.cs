namespace IsrProxy.Storage.Memory;

/// <summary>One process, one clock: a stamp is in effect everywhere the moment it is made.</summary>
internal sealed class MemoryClockReplication : IClockReplication
{
    public Task<bool> FlushAsync(CancellationToken ct) => Task.FromResult(true);
}
