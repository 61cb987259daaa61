namespace IsrProxy.Revalidation;

/// <summary>
/// The token shared work runs on (cache fills, regenerations, prerendering). It is not the host's stopping token: on
/// shutdown that work is given until <c>Isr:Regeneration:ShutdownTimeoutSeconds</c> to finish before this fires.
/// </summary>
internal sealed class ShutdownDrain : IDisposable
{
    private readonly CancellationTokenSource _cts = new();

    public CancellationToken Token => _cts.Token;

    public void Abort() => _cts.Cancel();

    public void Dispose() => _cts.Dispose();
}
