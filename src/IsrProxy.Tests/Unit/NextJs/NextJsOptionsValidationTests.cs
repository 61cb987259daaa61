using IsrProxy.Configuration;

namespace IsrProxy.Tests.Unit.NextJs;

public sealed class NextJsOptionsValidationTests
{
    [Fact]
    public void Validate_Defaults_Pass()
    {
        var errors = new List<string>();
        NextJsOptionsValidation.Validate(new NextJsOptions { Enabled = true, PreviewModeId = "0a1b2c3d" }, errors);
        Assert.Empty(errors);
    }

    [Fact]
    public void Validate_BadValues_NameEachKey_AndNeverTheId()
    {
        var errors = new List<string>();
        NextJsOptionsValidation.Validate(
            new NextJsOptions { PreviewModeId = "secret id\n", StaleRefetchAttempts = 0, StaleRefetchDelayMilliseconds = -1, TagRegistryCapacity = 0 },
            errors);

        Assert.Equal(4, errors.Count);
        Assert.StartsWith("Isr:NextJs:PreviewModeId: ", errors[0], StringComparison.Ordinal);
        Assert.DoesNotContain(errors, e => e.Contains("secret id", StringComparison.Ordinal));
        Assert.Contains("Isr:NextJs:StaleRefetchAttempts: '0' is not from 1 to 10.", errors);
        Assert.Contains("Isr:NextJs:StaleRefetchDelayMilliseconds: '-1' is not from 1 to 60000.", errors);
        Assert.Contains("Isr:NextJs:TagRegistryCapacity: '0' is not from 1 to 1000000.", errors);
    }
}
