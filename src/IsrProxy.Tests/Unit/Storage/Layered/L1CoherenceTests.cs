using IsrProxy.Storage.Layered;
using IsrProxy.Storage.Memory;

namespace IsrProxy.Tests.Unit.Storage.Layered;

public sealed class L1CoherenceTests
{
    private readonly MemoryCacheStore _l1 = new(1_000_000);

    [Fact]
    public void NewCoherence_IsNotTrusted()
    {
        Assert.False(new L1Coherence(_l1).IsTrusted);
    }

    [Fact]
    public void Remember_WithNoInvalidationMeanwhile_KeepsTheEntry()
    {
        var coherence = new L1Coherence(_l1);
        var generation = coherence.Generation;

        coherence.Remember(Entries.Make("/a"), generation);

        Assert.True(_l1.TryGet("/a", out _));
    }

    [Fact]
    public void Remember_AfterAnInvalidationDuringTheRead_DoesNotKeepTheOldVersion()
    {
        var coherence = new L1Coherence(_l1);
        var generation = coherence.Generation;                        // the read starts
        coherence.Invalidate("/a");                                   // another replica writes meanwhile

        coherence.Remember(Entries.Make("/a"), generation);           // the read ends with the old version

        Assert.False(_l1.TryGet("/a", out _));
    }

    [Fact]
    public void Invalidate_DropsTheKeyFromL1()
    {
        var coherence = new L1Coherence(_l1);
        coherence.Remember(Entries.Make("/a"), coherence.Generation);

        coherence.Invalidate("/a");

        Assert.False(_l1.TryGet("/a", out _));
    }

    [Fact]
    public void TryTrust_EmptiesL1AndTrusts()
    {
        var coherence = new L1Coherence(_l1);
        _l1.Set(Entries.Make("/written-while-untrusted"));

        Assert.True(coherence.TryTrust(coherence.Epoch));

        Assert.True(coherence.IsTrusted);
        Assert.Equal(0, _l1.Count);
    }

    [Fact]
    public void TryTrust_AfterTrustWasLostAgain_FailsAndStaysUntrusted()
    {
        var coherence = new L1Coherence(_l1);
        var epoch = coherence.Epoch;                                  // a resynchronisation starts
        coherence.Distrust();                                         // the subscription drops again meanwhile

        Assert.False(coherence.TryTrust(epoch));
        Assert.False(coherence.IsTrusted);
    }

    [Fact]
    public void Distrust_MakesReadsBegunWhileTrustedForgetWhatTheyRead()
    {
        var coherence = new L1Coherence(_l1);
        coherence.TryTrust(coherence.Epoch);
        var generation = coherence.Generation;

        coherence.Distrust();
        coherence.Remember(Entries.Make("/a"), generation);

        Assert.False(coherence.IsTrusted);
        Assert.False(_l1.TryGet("/a", out _));
    }
}
