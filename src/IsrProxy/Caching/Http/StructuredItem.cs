namespace IsrProxy.Caching.Http;

// A parsed Structured Fields member. Parameters are validated but not kept: nothing in the cache reads them.
// Text: the value of a String, Token or Display String, the source text of a Decimal, the base64 of a Byte Sequence.
// Integer: the value of an Integer or Date. Boolean: the value of a Boolean.
internal readonly record struct StructuredItem(StructuredItemKind Kind, string? Text, long Integer, bool Boolean)
{
    public static StructuredItem True { get; } = new(StructuredItemKind.Boolean, null, 0, true);
}
