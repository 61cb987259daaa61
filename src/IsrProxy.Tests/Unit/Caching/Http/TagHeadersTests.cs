using IsrProxy.Caching.Http;

namespace IsrProxy.Tests.Unit.Caching.Http;

public sealed class TagHeadersTests
{
    private static readonly string LongestTag = new('x', 256);
    private static readonly string TooLongTag = new('y', 257);

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("a", "a")]
    [InlineData("a,b,c", "a|b|c")]
    [InlineData(" a , b ,\tc\t", "a|b|c")]
    [InlineData("a,,b, ,", "a|b")]
    [InlineData("b,a,b,a", "b|a")]
    [InlineData("A,a", "A|a")]
    [InlineData("product 1, blog", "product 1|blog")]
    [InlineData("ok,bad\u0001tag,bad\u007ftag,also\u0085bad,fine", "ok|fine")]
    [InlineData("in\tside,x", "x")]
    public void ParseCacheTag_CommaSeparated_IsSplitTrimmedAndDeduplicated(string? value, string expected)
    {
        AssertTags(expected, TagHeaders.ParseCacheTag, value);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("a b c", "a|b|c")]
    [InlineData("  a   b\tc  ", "a|b|c")]
    [InlineData("a b a", "a|b")]
    [InlineData("a,b c", "a,b|c")]
    [InlineData("key\u0000x y", "y")]
    public void ParseSurrogateKey_SpaceSeparated_IsSplitAndDeduplicated(string? value, string expected)
    {
        AssertTags(expected, TagHeaders.ParseSurrogateKey, value);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("_N_T_/layout,_N_T_/blog/a", "_N_T_/layout|_N_T_/blog/a")]
    [InlineData(" posts , posts,", "posts")]
    public void ParseNextCacheTags_CommaSeparated_IsSplit(string? value, string expected)
    {
        AssertTags(expected, TagHeaders.ParseNextCacheTags, value);
    }

    [Theory]
    [InlineData(null, "")]
    [InlineData("", "")]
    [InlineData("\"a\", \"b\"", "a|b")]
    [InlineData("\"a\",\"b\"", "a|b")]
    [InlineData("  \"a\"  ,  \"b\"  ", "a|b")]
    [InlineData("\"a\\\"b\"", "a\"b")]
    [InlineData("\"a\\\\b\"", "a\\b")]
    [InlineData("\"a, b\"", "a, b")]
    [InlineData("\"a\", token, 42, ?1, (\"x\" \"y\"), :YWJj:, \"b\"", "a|b")]
    [InlineData("\"a\";p=1, \"b\";q", "a|b")]
    [InlineData("\"a\", \"a\", \" a \"", "a")]
    [InlineData("\"\", \"b\"", "b")]
    [InlineData("a, \"b\"", "b")]
    [InlineData("\"a\", \"b", "")]
    [InlineData("\"a\" \"b\"", "")]
    [InlineData("\"a\",", "")]
    [InlineData("\"a\\x\"", "")]
    [InlineData("\"a\", \"b\u00e9\"", "")]
    [InlineData("'a'", "")]
    public void ParseCacheGroups_StructuredList_KeepsStringsOnly(string? value, string expected)
    {
        AssertTags(expected, TagHeaders.ParseCacheGroups, value);
    }

    [Fact]
    public void Parsers_OverlongTag_IsDroppedAndMaximumIsKept()
    {
        var into = new List<string>();

        TagHeaders.ParseCacheTag($"{TooLongTag},{LongestTag},ok", into);
        TagHeaders.ParseSurrogateKey($"{TooLongTag} z", into);
        TagHeaders.ParseCacheGroups($"\"{TooLongTag}\", \"g\"", into);

        Assert.Equal([LongestTag, "ok", "z", "g"], into);
    }

    [Fact]
    public void ParseCacheTag_ThreeHundredTags_AreCappedAt256InOrder()
    {
        var into = new List<string>();

        TagHeaders.ParseCacheTag(string.Join(',', Enumerable.Range(0, 300).Select(i => $"t{i}")), into);

        Assert.Equal(TagHeaders.MaxTagsPerResponse, into.Count);
        Assert.Equal(Enumerable.Range(0, 256).Select(i => $"t{i}"), into);
    }

    [Fact]
    public void Parsers_CapAppliesAcrossHeadersOfOneResponse()
    {
        var into = new List<string>();

        TagHeaders.ParseSurrogateKey(string.Join(' ', Enumerable.Range(0, 250).Select(i => $"s{i}")), into);
        TagHeaders.ParseCacheTag(string.Join(',', Enumerable.Range(0, 10).Select(i => $"c{i}")), into);
        TagHeaders.ParseCacheGroups("\"late\"", into);

        Assert.Equal(256, into.Count);
        Assert.Equal("c5", into[^1]);
        Assert.DoesNotContain("late", into);
    }

    [Fact]
    public void Parsers_DuplicatesAcrossHeaders_AreAddedOnce()
    {
        var into = new List<string>();

        TagHeaders.ParseCacheTag("a, b", into);
        TagHeaders.ParseSurrogateKey("b c", into);
        TagHeaders.ParseCacheGroups("\"c\", \"d\"", into);
        TagHeaders.ParseNextCacheTags("d,a,e", into);

        Assert.Equal(["a", "b", "c", "d", "e"], into);
    }

    [Fact]
    public void Parsers_InvalidTagsDoNotCountTowardsTheCap()
    {
        var into = new List<string>();
        var value = string.Join(',', Enumerable.Range(0, 256).Select(i => $"t{i}").Prepend(TooLongTag).Prepend("bad\u0007"));

        TagHeaders.ParseCacheTag(value, into);

        Assert.Equal(256, into.Count);
        Assert.Equal("t255", into[^1]);
    }

    private static void AssertTags(string expected, Action<string?, ICollection<string>> parse, string? value)
    {
        var into = new List<string>();

        parse(value, into);

        Assert.Equal(expected.Length == 0 ? [] : expected.Split('|'), into);
    }
}
