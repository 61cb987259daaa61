using System.Text;
using IsrProxy.Redis;

namespace IsrProxy.Tests.Unit.Redis;

/// <summary>A canonical text form of a reply, so parsed values compare with plain strings.</summary>
internal static class RespValueText
{
    public static string Describe(RespValue value) => value.Kind switch
    {
        RespValueKind.SimpleString => "+" + value.AsString(),
        RespValueKind.Error => "-" + value.AsString(),
        RespValueKind.Integer => ":" + value.AsInt64(),
        RespValueKind.BulkString => value.IsNull ? "$null" : "$" + Escape(value.AsBytes() ?? []),
        RespValueKind.Array => value.IsNull ? "*null" : "[" + string.Join(",", value.Items.Select(Describe)) + "]",
        _ => "none",
    };

    private static string Escape(byte[] bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes)
        {
            text.Append(b is >= 0x20 and < 0x7F && b != (byte)'\\' ? ((char)b).ToString() : $"\\x{b:X2}");
        }

        return text.ToString();
    }
}
