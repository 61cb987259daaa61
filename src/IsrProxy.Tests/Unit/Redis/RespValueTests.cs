using IsrProxy.Redis;

namespace IsrProxy.Tests.Unit.Redis;

public sealed class RespValueTests
{
    [Fact]
    public void AsInt64_IntegerOrNumericString_ReturnsNumber()
    {
        Assert.Equal(-5, RespValue.Integer(-5).AsInt64());
        Assert.Equal(123, RespValue.BulkString("123").AsInt64());
        Assert.Equal(7, RespValue.SimpleString("7").AsInt64());
    }

    [Fact]
    public void AsInt64_NonNumericString_NamesTheValue()
    {
        var error = Assert.Throws<InvalidOperationException>(() => RespValue.BulkString("abc").AsInt64());
        Assert.Contains("'abc'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NullBulk_IsNullWithNullStringAndEmptyMemory()
    {
        var value = RespValue.BulkString((byte[]?)null);
        Assert.True(value.IsNull);
        Assert.Null(value.AsString());
        Assert.Null(value.AsBytes());
        Assert.True(value.AsMemory().IsEmpty);
    }

    [Fact]
    public void Items_OnNonArrayOrNullArray_Throws()
    {
        Assert.Throws<InvalidOperationException>(() => RespValue.Integer(1).Items);
        Assert.Throws<InvalidOperationException>(() => RespValue.Array(null).Items);
        Assert.Equal(2, RespValue.Array([RespValue.Integer(1), RespValue.Integer(2)]).Items.Count);
    }

    [Fact]
    public void AsString_OnArray_NamesTheKind()
    {
        var error = Assert.Throws<InvalidOperationException>(() => RespValue.Array([]).AsString());
        Assert.Contains("Array", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void IsError_OnlyForErrorReplies()
    {
        Assert.True(RespValue.Error("ERR x").IsError);
        Assert.False(RespValue.SimpleString("OK").IsError);
        Assert.Equal("ERR x", RespValue.Error("ERR x").AsString());
    }
}
