namespace SampleOrigin;

/// <summary>Whether <c>/flaky</c> currently fails; flipped at run time through <c>POST /_sample/fail?on=</c>.</summary>
internal sealed class FailureSwitch(bool failing)
{
    private volatile bool _failing = failing;

    public bool Failing
    {
        get => _failing;
        set => _failing = value;
    }
}
