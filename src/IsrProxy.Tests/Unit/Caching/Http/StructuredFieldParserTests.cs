using IsrProxy.Caching.Http;

namespace IsrProxy.Tests.Unit.Caching.Http;

public sealed class StructuredFieldParserTests
{
    [Theory]
    [InlineData("1, 42, -7", "Integer,Integer,Integer")]
    [InlineData("999999999999999", "Integer")]
    [InlineData("1.5, -0.125, 123456789012.123", "Decimal,Decimal,Decimal")]
    [InlineData("\"s\", tok, *tok:a/b, :YWJj:, ?0, ?1", "String,Token,Token,ByteSequence,Boolean,Boolean")]
    [InlineData("@1659578233, %\"f%c3%bc\"", "Date,DisplayString")]
    [InlineData("(1 2);a=1, ( \"x\" )", "InnerList,InnerList")]
    [InlineData("()", "InnerList")]
    [InlineData("a;b;c=?0;d=\"x\"", "Token")]
    [InlineData("  1  ", "Integer")]
    [InlineData("1\t,\t2", "Integer,Integer")]
    [InlineData("", "")]
    public void TryParseList_ValidInput_YieldsMembers(string value, string kinds)
    {
        var members = new List<StructuredItem>();

        Assert.True(StructuredFieldParser.TryParseList(value, members));
        Assert.Equal(kinds, string.Join(',', members.Select(m => m.Kind)));
    }

    [Theory]
    [InlineData("1,")]
    [InlineData(",1")]
    [InlineData("1 2")]
    [InlineData("1,,2")]
    [InlineData("\t1")]
    [InlineData("1.")]
    [InlineData("1.2345")]
    [InlineData("1234567890123.1")]
    [InlineData("1000000000000000")]
    [InlineData("-")]
    [InlineData("\"unterminated")]
    [InlineData("\"bad\\escape\"")]
    [InlineData("\"tab\tinside\"")]
    [InlineData(":YW Jj:")]
    [InlineData(":YWJj")]
    [InlineData("?2")]
    [InlineData("@1.5")]
    [InlineData("%\"%C3%BC\"")]
    [InlineData("%\"%c3\"")]
    [InlineData("%x")]
    [InlineData("(1 2")]
    [InlineData("(1,2)")]
    [InlineData("a;B=1")]
    [InlineData("a;=1")]
    [InlineData("é")]
    [InlineData("#")]
    public void TryParseList_InvalidInput_FailsAndLeavesMembersUntouched(string value)
    {
        var members = new List<StructuredItem> { StructuredItem.True };

        Assert.False(StructuredFieldParser.TryParseList(value, members));
        Assert.Equal([StructuredItem.True], members);
    }

    [Fact]
    public void TryParseList_Values_AreDecoded()
    {
        var members = new List<StructuredItem>();

        Assert.True(StructuredFieldParser.TryParseList("\"a\\\"b\\\\c\", -15, ?0, %\"caf%c3%a9\", @-1", members));

        Assert.Equal("a\"b\\c", members[0].Text);
        Assert.Equal(-15, members[1].Integer);
        Assert.False(members[2].Boolean);
        Assert.Equal("café", members[3].Text);
        Assert.Equal(-1, members[4].Integer);
    }

    [Theory]
    [InlineData("max-age=60", "max-age=Integer:60")]
    [InlineData("no-store", "no-store=Boolean:True")]
    [InlineData("a=1, b, c=?0, d=\"x\", e=tok, f=(1 2), *g=1.5", "a=Integer:1|b=Boolean:True|c=Boolean:False|d=String:x|e=Token:tok|f=InnerList:|*g=Decimal:1.5")]
    [InlineData("a;p=1, b=2;q", "a=Boolean:True|b=Integer:2")]
    [InlineData("a=1, a=2", "a=Integer:1|a=Integer:2")]
    public void TryParseDictionary_ValidInput_YieldsMembersInOrder(string value, string expected)
    {
        var members = new List<KeyValuePair<string, StructuredItem>>();

        Assert.True(StructuredFieldParser.TryParseDictionary(value, members));
        Assert.Equal(expected, string.Join('|', members.Select(m => $"{m.Key}={m.Value.Kind}:{Describe(m.Value)}")));
    }

    [Theory]
    [InlineData("Max-Age=60")]
    [InlineData("1a=1")]
    [InlineData("a=")]
    [InlineData("a=1,")]
    [InlineData("a=1 b=2")]
    [InlineData("a =1")]
    [InlineData("a=1;")]
    public void TryParseDictionary_InvalidInput_Fails(string value)
    {
        var members = new List<KeyValuePair<string, StructuredItem>>();

        Assert.False(StructuredFieldParser.TryParseDictionary(value, members));
        Assert.Empty(members);
    }

    private static string Describe(StructuredItem item) => item.Kind switch
    {
        StructuredItemKind.Integer or StructuredItemKind.Date => item.Integer.ToString(System.Globalization.CultureInfo.InvariantCulture),
        StructuredItemKind.Boolean => item.Boolean.ToString(),
        _ => item.Text ?? string.Empty,
    };
}
