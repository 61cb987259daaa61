using IsrProxy.Configuration;
using IsrProxy.Purge;
using Microsoft.Extensions.Options;

namespace IsrProxy.Tests.Unit.Purge;

public sealed class PurgeRequestTests
{
    [Theory]
    [InlineData("blog/a", null, null, "Path", "/blog/a", "Stale")]
    [InlineData("blog/a/", "page", "expire", "Path", "/blog/a", "Expire")]
    [InlineData("blog", "layout", "refresh", "Subtree", "/blog", "Refresh")]
    [InlineData("%2F", "layout", "max", "Subtree", "/", "Stale")]
    public void TryParsePath_Valid(string path, string? type, string? mode, string target, string value, string purgeMode)
    {
        Assert.True(PurgeRequest.TryParsePath(path, type, mode, out var request, out var error), error);
        Assert.Equal(new PurgeRequest(Enum.Parse<PurgeTarget>(target), value, Enum.Parse<PurgeMode>(purgeMode)), request);
    }

    [Theory]
    [InlineData(null, null, null, "empty")]
    [InlineData("", null, null, "empty")]
    [InlineData("a\u0001b", null, null, "control")]
    [InlineData("p", "tree", null, "Unknown type 'tree'")]
    [InlineData("p", null, "nuke", "Unknown mode 'nuke'")]
    public void TryParsePath_Invalid(string? path, string? type, string? mode, string message)
    {
        Assert.False(PurgeRequest.TryParsePath(path, type, mode, out _, out var error));
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Tag_LimitsAreInUtf8Bytes()
    {
        Assert.True(PurgeRequest.TryParseTag(new string('é', 128), null, out _, out _));      // 256 bytes
        Assert.False(PurgeRequest.TryParseTag(new string('é', 129), null, out _, out var error));
        Assert.Contains("256 bytes", error, StringComparison.Ordinal);
    }

    [Fact]
    public void ErrorMessages_EchoClientValuesOnlyBoundedAndPrintable()
    {
        PurgeRequest.TryParseTag("t", new string('x', 500) + "\u0007", out _, out var error);

        Assert.True(error!.Length < 200);
        Assert.DoesNotContain('\u0007', error);
    }

    [Fact]
    public void SecretVerifier_MatchesOnlyTheExactSecret()
    {
        var verifier = new SecretVerifier(Options.Create(new IsrOptions { Origin = "http://o", Secret = "abc" }));
        bool Check(string header, string value)
        {
            var context = new DefaultHttpContext();
            context.Request.Headers[header] = value;
            return verifier.Verify(context.Request);
        }

        Assert.True(Check("Authorization", "Bearer abc"));
        Assert.True(Check("Authorization", "bearer abc"));
        Assert.True(Check("X-Isr-Secret", "abc"));
        Assert.False(Check("X-Isr-Secret", "abcd"));
        Assert.False(Check("X-Isr-Secret", "ab"));
        Assert.False(Check("Authorization", "abc"));
        Assert.False(new SecretVerifier(Options.Create(new IsrOptions { Origin = "http://o" })).IsEnabled);
    }
}
