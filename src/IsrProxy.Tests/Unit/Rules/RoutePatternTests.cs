using IsrProxy.Rules;

namespace IsrProxy.Tests.Unit.Rules;

public sealed class RoutePatternTests
{
    [Theory]
    [InlineData("/", "/", true)]
    [InlineData("/", "", true)]
    [InlineData("/", "//", true)]
    [InlineData("/", "/a", false)]
    [InlineData("/blog", "/blog", true)]
    [InlineData("/blog", "/blog/", true)]
    [InlineData("/blog", "/Blog", false)]
    [InlineData("/blog", "/blo", false)]
    [InlineData("/blog", "/blogs", false)]
    [InlineData("/blog", "/blog/a", false)]
    [InlineData("/blog", "/blog//", false)]
    [InlineData("/blog", "blog", false)]
    [InlineData("/blog/", "/blog", true)]
    [InlineData("/café/menü", "/café/menü", true)]
    [InlineData("/a b", "/a b", true)]
    [InlineData("/blog/{slug}", "/blog/a", true)]
    [InlineData("/blog/{slug}", "/blog/a/", true)]
    [InlineData("/blog/{slug}", "/blog/hello world", true)]
    [InlineData("/blog/{slug}", "/blog", false)]
    [InlineData("/blog/{slug}", "/blog/", false)]
    [InlineData("/blog/{slug}", "/blog//", false)]
    [InlineData("/blog/{slug}", "/blog/a/b", false)]
    [InlineData("/blog/{slug}", "/blog/a//", false)]
    [InlineData("/blog/{slug}", "/news/a", false)]
    [InlineData("/blog/*", "/blog/a", true)]
    [InlineData("/blog/*", "/blog/a/", true)]
    [InlineData("/blog/*", "/blog", false)]
    [InlineData("/blog/*", "/blog/a/b", false)]
    [InlineData("/a/{x}/c", "/a/b/c", true)]
    [InlineData("/a/{x}/c", "/a//c", false)]
    [InlineData("/a/{x}/c", "/a/b/d", false)]
    [InlineData("/a/{x}/{y}", "/a/1/2", true)]
    [InlineData("/a/{x}/{y}", "/a/1", false)]
    [InlineData("/{lang}/docs/{**rest}", "/en/docs", true)]
    [InlineData("/{lang}/docs/{**rest}", "/en/docs/a/b", true)]
    [InlineData("/{lang}/docs/{**rest}", "/en/blog/a", false)]
    [InlineData("/products/**", "/products", true)]
    [InlineData("/products/**", "/products/", true)]
    [InlineData("/products/**", "/products/a", true)]
    [InlineData("/products/**", "/products/a/b/c", true)]
    [InlineData("/products/**", "/products/a//b", true)]
    [InlineData("/products/**", "/product", false)]
    [InlineData("/products/**", "/productsx", false)]
    [InlineData("/products/**", "/productsx/a", false)]
    [InlineData("/products/**", "/other/products", false)]
    [InlineData("/products/{**rest}", "/products", true)]
    [InlineData("/products/{**rest}", "/products/a/b", true)]
    [InlineData("/products/{**rest}", "/prod", false)]
    [InlineData("/products/{*rest}", "/products/a/b", true)]
    [InlineData("/**", "/", true)]
    [InlineData("/**", "", true)]
    [InlineData("/**", "/a", true)]
    [InlineData("/**", "/a/b/c/", true)]
    [InlineData("/**", "a", false)]
    public void IsMatch_Path_MatchesAsDocumented(string pattern, string path, bool expected)
    {
        Assert.True(RoutePattern.TryParse(pattern, out var parsed, out var error), error);

        Assert.Equal(expected, parsed.IsMatch(path));
    }

    [Theory]
    [InlineData("blog", "it must start with '/'")]
    [InlineData("*", "it must start with '/'")]
    [InlineData("/a?b", "'?' is not allowed")]
    [InlineData("/{id?}", "'?' is not allowed")]
    [InlineData("/a#b", "'#' is not allowed")]
    [InlineData("/a\\b", "'\\' is not allowed")]
    [InlineData("/a\tb", "control character")]
    [InlineData("/a//b", "empty segment")]
    [InlineData("//", "empty segment")]
    [InlineData("/**/a", "'**' matches any rest of the path, so it must be the last segment")]
    [InlineData("/{**rest}/a", "'{**rest}' matches any rest of the path, so it must be the last segment")]
    [InlineData("/a{b}", "segment 'a{b}' mixes text and braces")]
    [InlineData("/{a}b", "segment '{a}b' mixes text and braces")]
    [InlineData("/a}", "segment 'a}' mixes text and braces")]
    [InlineData("/{a", "segment '{a' mixes text and braces")]
    [InlineData("/{}", "empty braces")]
    [InlineData("/{**}", "'{**}' is not a parameter")]
    [InlineData("/{id:int}", "'{id:int}' is not a parameter")]
    [InlineData("/{a{b}}", "'{a{b}}' is not a parameter")]
    [InlineData("/{***x}", "'{***x}' is not a parameter")]
    [InlineData("/a*", "segment 'a*' mixes text and '*'")]
    [InlineData("/***", "segment '***' mixes text and '*'")]
    public void TryParse_BadPattern_IsRejectedNamingIt(string pattern, string reason)
    {
        Assert.False(RoutePattern.TryParse(pattern, out var parsed, out var error));

        Assert.Null(parsed);
        Assert.StartsWith($"'{pattern}' is not a valid route pattern: ", error);
        Assert.Contains(reason, error);
    }

    [Fact]
    public void TryParse_Empty_IsRejected()
    {
        Assert.False(RoutePattern.TryParse(string.Empty, out _, out var error));

        Assert.Contains("empty", error);
    }

    [Fact]
    public void TryParse_Valid_KeepsText()
    {
        Assert.True(RoutePattern.TryParse("/blog/{slug}/", out var parsed, out _));

        Assert.Equal("/blog/{slug}/", parsed.Text);
        Assert.Equal("/blog/{slug}/", parsed.ToString());
    }
}
