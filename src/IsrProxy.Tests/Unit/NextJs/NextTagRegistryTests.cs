using IsrProxy.Configuration;
using IsrProxy.NextJs;
using Microsoft.Extensions.Options;

namespace IsrProxy.Tests.Unit.NextJs;

public sealed class NextTagRegistryTests
{
    private static NextTagRegistry Registry(int capacity)
        => new(Options.Create(new IsrOptions { NextJs = new NextJsOptions { Enabled = true, TagRegistryCapacity = capacity } }));

    [Fact]
    public void Register_ReplacesAPathsTags_AndFindsPathsByTag()
    {
        var registry = Registry(10);
        registry.Register("/blog/a/", ["blog", "a"]);
        registry.Register("/blog/b", ["blog"]);
        registry.Register("/blog/a", ["a", "a"]);

        Assert.Equal(["a"], registry.TagsFor("/blog/a"));
        Assert.Equal(["/blog/b"], registry.PathsTagged("blog"));
        Assert.Empty(registry.TagsFor("/unknown"));
    }

    [Fact]
    public void Register_PastCapacity_ForgetsTheLeastRecentlyUsedPath()
    {
        var registry = Registry(2);
        registry.Register("/a", ["t"]);
        registry.Register("/b", ["t"]);
        Assert.NotEmpty(registry.TagsFor("/a"));                     // /a is now the most recently used
        registry.Register("/c", ["t"]);

        Assert.Equal(2, registry.Count);
        Assert.Empty(registry.TagsFor("/b"));
        Assert.Equal(["/a", "/c"], registry.PathsTagged("t").Order(StringComparer.Ordinal));
    }
}
