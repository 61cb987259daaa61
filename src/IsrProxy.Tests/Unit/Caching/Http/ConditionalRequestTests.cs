using IsrProxy.Caching.Http;

namespace IsrProxy.Tests.Unit.Caching.Http;

public sealed class ConditionalRequestTests
{
    private const string Modified = "Wed, 21 Oct 2015 07:28:00 GMT";
    private const string OneSecondEarlier = "Wed, 21 Oct 2015 07:27:59 GMT";
    private const string OneSecondLater = "Wed, 21 Oct 2015 07:28:01 GMT";

    [Theory]
    [InlineData("\"abc\"", "\"abc\"", true)]
    [InlineData("\"abc\"", "\"abd\"", false)]
    [InlineData("W/\"abc\"", "\"abc\"", true)]
    [InlineData("\"abc\"", "W/\"abc\"", true)]
    [InlineData("W/\"abc\"", "W/\"abc\"", true)]
    [InlineData("w/\"abc\"", "\"abc\"", true)]
    [InlineData("\"ABC\"", "\"abc\"", false)]
    [InlineData("*", "\"abc\"", true)]
    [InlineData(" * ", "\"abc\"", true)]
    [InlineData("*", null, true)]
    [InlineData("\"abc\"", null, false)]
    [InlineData("\"x\", \"y\", \"abc\"", "\"abc\"", true)]
    [InlineData("\"x\",W/\"abc\"", "\"abc\"", true)]
    [InlineData("\"x\", \"y\"", "\"abc\"", false)]
    [InlineData("\"a,b\"", "\"a,b\"", true)]
    [InlineData("\"a,b\"", "\"a\"", false)]
    [InlineData("\"a\", \"b", "\"b\"", false)]
    [InlineData("abc", "\"abc\"", true)]
    [InlineData("\"abc\"", "abc", true)]
    [InlineData("\"\"", "\"\"", true)]
    [InlineData("\"\"", "\"abc\"", false)]
    [InlineData(",,", "\"abc\"", false)]
    public void IsNotModified_IfNoneMatch_UsesWeakComparison(string ifNoneMatch, string? etag, bool expected)
    {
        Assert.Equal(expected, ConditionalRequest.IsNotModified(ifNoneMatch, null, etag, Modified));
    }

    [Theory]
    [InlineData(Modified, Modified, true)]
    [InlineData(OneSecondLater, Modified, true)]
    [InlineData(OneSecondEarlier, Modified, false)]
    [InlineData("Wednesday, 21-Oct-15 07:28:00 GMT", Modified, true)]
    [InlineData("Wed Oct 21 07:28:00 2015", Modified, true)]
    [InlineData("not a date", Modified, false)]
    [InlineData("", Modified, false)]
    [InlineData(null, Modified, false)]
    [InlineData(Modified, null, false)]
    [InlineData(Modified, "garbage", false)]
    [InlineData(Modified + ", " + OneSecondLater, Modified, false)]
    public void IsNotModified_IfModifiedSince_ComparesDates(string? ifModifiedSince, string? lastModified, bool expected)
    {
        Assert.Equal(expected, ConditionalRequest.IsNotModified(null, ifModifiedSince, "\"abc\"", lastModified));
    }

    [Theory]
    [InlineData("\"other\"", OneSecondLater, false)]
    [InlineData("\"abc\"", OneSecondEarlier, true)]
    [InlineData("*", OneSecondEarlier, true)]
    [InlineData("", OneSecondLater, true)]
    [InlineData("  ", OneSecondEarlier, false)]
    public void IsNotModified_IfNoneMatchPresent_IgnoresIfModifiedSince(string ifNoneMatch, string ifModifiedSince, bool expected)
    {
        Assert.Equal(expected, ConditionalRequest.IsNotModified(ifNoneMatch, ifModifiedSince, "\"abc\"", Modified));
    }

    [Fact]
    public void IsNotModified_NoConditions_IsFalse()
    {
        Assert.False(ConditionalRequest.IsNotModified(null, null, "\"abc\"", Modified));
    }
}
