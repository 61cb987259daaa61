using IsrProxy.Rules;

namespace IsrProxy.Tests.Unit.Rules;

public sealed class RuleSetTests
{
    private static readonly RuleSet Set = new(
    [
        new RouteRule(0, "/blog/featured"),
        new RouteRule(1, "/blog/{slug}"),
        new RouteRule(2, "/products/**"),
        new RouteRule(3, "/blog/**"),
    ]);

    [Theory]
    [InlineData("/blog/featured", 0)]
    [InlineData("/blog/featured/", 0)]
    [InlineData("/blog/other", 1)]
    [InlineData("/products", 2)]
    [InlineData("/products/a/b", 2)]
    [InlineData("/blog", 3)]
    [InlineData("/blog/a/b", 3)]
    [InlineData("/", -1)]
    [InlineData("/about", -1)]
    public void Match_Path_FirstMatchingRuleWins(string path, int expectedIndex)
    {
        Assert.Equal(expectedIndex, Set.Match(path).Index);
    }

    [Fact]
    public void Match_NothingMatches_ReturnsDefault()
    {
        Assert.Same(RouteRule.Default, Set.Match("/nowhere"));
    }

    [Fact]
    public void Match_EmptySet_ReturnsDefault()
    {
        Assert.Empty(RuleSet.Empty.Rules);
        Assert.Same(RouteRule.Default, RuleSet.Empty.Match("/blog/a"));
    }

    [Fact]
    public void Rules_KeepConfiguredOrder()
    {
        Assert.Equal([0, 1, 2, 3], Set.Rules.Select(rule => rule.Index));
    }

    [Fact]
    public void Match_AfterWarmUp_AllocatesNothing()
    {
        string[] paths = ["/blog/featured", "/blog/other/", "/products/a/b/c", "/blog/a/b", "/about", "/"];
        foreach (var path in paths)
        {
            Set.Match(path);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var found = 0;
        for (var i = 0; i < 1000; i++)
        {
            foreach (var path in paths)
            {
                found += Set.Match(path).Index;
            }
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(1000 * (0 + 1 + 2 + 3 - 1 - 1), found);
    }
}
